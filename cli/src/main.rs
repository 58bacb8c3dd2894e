//! The `palabre` command-line tool; everything is in the palabre-cli library.

fn main() -> std::process::ExitCode {
    palabre_cli::main()
}
