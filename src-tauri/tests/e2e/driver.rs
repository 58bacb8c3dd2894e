//! A small WebDriver client for the real app: an Xvfb display, `tauri-driver` (which starts
//! WebKitWebDriver and the app binary), and the few W3C WebDriver calls the tests need.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const PATIENCE: Duration = Duration::from_secs(15);

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn terminate(child: &mut Child) {
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A private X display for the app's window.
pub struct Display {
    child: Child,
    pub name: String,
}

impl Display {
    pub fn start() -> Display {
        let number = (100..400)
            .find(|n| {
                !Path::new(&format!("/tmp/.X{n}-lock")).exists()
                    && !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            })
            .expect("no free X display number");
        let name = format!(":{number}");
        let child = Command::new("Xvfb")
            .args([&name, "-screen", "0", "1366x768x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb is missing: install the xvfb package (make test does)");
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{number}"));
        let deadline = Instant::now() + PATIENCE;
        while !socket.exists() {
            assert!(Instant::now() < deadline, "Xvfb did not start on {name}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Display { child, name }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

fn tauri_driver() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain(cargo_home.map(|h| h.join("bin")))
        .map(|dir| dir.join("tauri-driver"))
        .find(|p| p.exists())
        .expect("tauri-driver is missing: `cargo install tauri-driver --locked` (make test does)")
}

/// tauri-driver on two free ports; the app it starts inherits `env`.
pub struct Driver {
    child: Child,
    url: String,
    agent: ureq::Agent,
}

impl Driver {
    pub fn start(display: &Display, env: &[(&str, &Path)]) -> Driver {
        let (port, native) = (free_port(), free_port());
        let mut command = Command::new(tauri_driver());
        command
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("DISPLAY", &display.name)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().expect("tauri-driver did not start");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}"), agent };
        let deadline = Instant::now() + PATIENCE;
        while driver.agent.get(format!("{}/status", driver.url)).call().is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not answer");
            std::thread::sleep(Duration::from_millis(100));
        }
        driver
    }

    /// Starts the app and a WebDriver session on it.
    pub fn session(&self, application: &Path) -> Session {
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "wry",
            "tauri:options": { "application": application }
        }}});
        let reply = post(&self.agent, &format!("{}/session", self.url), caps);
        let id = reply["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {reply}"))
            .to_string();
        Session { agent: self.agent.clone(), base: format!("{}/session/{id}", self.url) }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

fn post(agent: &ureq::Agent, url: &str, body: Value) -> Value {
    let mut response =
        agent.post(url).send_json(body).unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let reply: Value = response.body_mut().read_json().unwrap_or(Value::Null);
    reply.get("value").cloned().unwrap_or(reply)
}

#[derive(Clone, Debug)]
pub struct Element(String);

pub struct Session {
    agent: ureq::Agent,
    base: String,
}

impl Session {
    fn post(&self, path: &str, body: Value) -> Value {
        post(&self.agent, &format!("{}{path}", self.base), body)
    }

    /// Runs JavaScript in the page and returns its result.
    pub fn script(&self, script: &str, args: Value) -> Value {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
    }

    fn try_find(&self, css: &str) -> Option<Element> {
        let found = self.post("/element", json!({ "using": "css selector", "value": css }));
        found.get(ELEMENT_KEY).and_then(Value::as_str).map(|id| Element(id.to_string()))
    }

    /// Waits for an element to exist.
    pub fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(element) = self.try_find(css) {
                return element;
            }
            assert!(Instant::now() < deadline, "no element matches {css}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn count(&self, css: &str) -> usize {
        self.script("return document.querySelectorAll(arguments[0]).length", json!([css]))
            .as_u64()
            .unwrap_or(0) as usize
    }

    pub fn click(&self, css: &str) {
        let element = self.find(css);
        self.post(&format!("/element/{}/click", element.0), json!({}));
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let element = self.find(css);
        self.post(&format!("/element/{}/clear", element.0), json!({}));
        self.post(&format!("/element/{}/value", element.0), json!({ "text": text }));
    }

    /// Presses a key (e.g. "\u{E007}" for Enter) in the focused element.
    pub fn press(&self, css: &str, key: &str) {
        let element = self.find(css);
        self.post(&format!("/element/{}/value", element.0), json!({ "text": key }));
    }

    pub fn text(&self, css: &str) -> String {
        self.script(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null",
            json!([css]),
        )
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Waits until the text of `css` contains `expected`.
    pub fn wait_text(&self, css: &str, expected: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.text(css);
            if text.contains(expected) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{css} shows {text:?}, expected it to contain {expected:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until a JavaScript condition holds.
    pub fn wait_until(&self, what: &str, condition: &str, args: Value) {
        let deadline = Instant::now() + PATIENCE;
        while self.script(condition, args.clone()) != Value::Bool(true) {
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn go(&self, hash: &str) {
        self.script("location.hash = arguments[0]", json!([hash]));
    }

    /// Goes to `hash` (another screen than the one shown) and waits until it has finished
    /// drawing (app.js marks the body).
    pub fn show(&self, hash: &str) {
        if self.script("return location.hash", json!([])) == json!(hash) {
            // Already there: pass through another screen so that this one is drawn afresh.
            let other = if hash == "#/about" { "#/home" } else { "#/about" };
            self.show(other);
        }
        self.script(
            "document.body.dataset.shown = ''; location.hash = arguments[0]",
            json!([hash]),
        );
        self.wait_until(
            &format!("{hash} to be drawn"),
            "return document.body.dataset.shown === arguments[0]",
            json!([hash]),
        );
    }

    /// Sets the window's size (as a laptop screen would).
    pub fn resize(&self, width: u32, height: u32) {
        self.post("/window/rect", json!({ "width": width, "height": height }));
        let deadline = Instant::now() + PATIENCE;
        while self.script("return window.outerWidth", json!([])) != json!(width) {
            assert!(Instant::now() < deadline, "the window did not take {width}×{height}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Ends the session, which closes the app.
    pub fn quit(self) {
        let _ = self.agent.delete(&self.base).call();
    }
}
