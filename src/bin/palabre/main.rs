//! The `palabre` command-line tool; everything is in `palabre::cli`.

fn main() -> std::process::ExitCode {
    palabre::cli::main()
}
