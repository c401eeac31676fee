//! Talking to the services: GitHub and GitLab through the user's own `gh`
//! and `glab` (`api` subcommand: their login, SSO, proxies and hosts
//! apply), Jira over HTTPS with ureq and rustls.

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::{Error, Result, Service};

/// `gh` or `glab`.
#[derive(Debug, Clone)]
pub struct Tool {
    pub program: String,
    pub service: Service,
}

impl Tool {
    pub fn for_service(service: Service) -> Tool {
        Tool {
            program: match service {
                Service::Gitlab => "glab",
                _ => "gh",
            }
            .to_owned(),
            service,
        }
    }

    /// `PROGRAM api --paginate PATH`: every page, as the tool prints them.
    pub fn get_all(&self, path: &str) -> Result<String> {
        self.run(&["api", "--paginate", path], None, path)
    }

    /// `PROGRAM api --method METHOD PATH --input -` with a JSON body.
    pub fn send(&self, method: &str, path: &str, body: &Value) -> Result<Value> {
        let text = self.run(
            &["api", "--method", method, path, "--input", "-"],
            Some(body.to_string()),
            &format!("{method} {path}"),
        )?;
        serde_json::from_str(&text).map_err(|e| Error::BadInput {
            what: format!("{} {method} {path}", self.program),
            message: format!("the answer is not JSON: {e}"),
        })
    }

    fn run(&self, args: &[&str], stdin: Option<String>, request: &str) -> Result<String> {
        let mut cmd = Command::new(&self.program);
        cmd.args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NoTool {
                program: self.program.clone(),
                service: self.service.title().to_owned(),
            },
            _ => Error::Tool {
                program: self.program.clone(),
                request: request.to_owned(),
                status: -1,
                message: e.to_string(),
            },
        })?;
        if let (Some(body), Some(mut pipe)) = (stdin, child.stdin.take()) {
            // A tool that exits without reading its input is reported by
            // its exit status below, not as a broken pipe here.
            let _ = pipe.write_all(body.as_bytes());
        }
        let out = child.wait_with_output().map_err(|e| Error::Tool {
            program: self.program.clone(),
            request: request.to_owned(),
            status: -1,
            message: e.to_string(),
        })?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let message = stderr
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("no message")
                .to_owned();
            return Err(Error::Tool {
                program: self.program.clone(),
                request: request.to_owned(),
                status: out.status.code().unwrap_or(-1),
                message: super::plain(&message),
            });
        }
        Ok(stdout)
    }
}

/// Jira's REST API: one site, one credential.
pub struct Http {
    agent: ureq::Agent,
    site: String,
    auth: String,
    /// How long to wait at most when the site says "slow down".
    max_wait: Duration,
}

/// How many times a request is tried when the site asks us to wait (429)
/// or fails for a moment (502, 503, 504).
const ATTEMPTS: usize = 4;

impl Http {
    /// The site's address, without a final `/`.
    pub fn site(&self) -> &str {
        &self.site
    }

    /// `token` with `user` is Basic (Jira Cloud: email and API token);
    /// alone, a Bearer personal access token (Jira Data Center).
    pub fn new(site: &str, user: Option<&str>, token: &str) -> Http {
        use base64::Engine;
        let auth = match user {
            Some(u) => format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{token}"))
            ),
            None => format!("Bearer {token}"),
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .user_agent(concat!("git-issue/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Http {
            agent,
            site: site.trim_end_matches('/').to_owned(),
            auth,
            max_wait: Duration::from_secs(60),
        }
    }

    pub fn get(&self, path_and_query: &str) -> Result<Value> {
        self.call("GET", path_and_query, None)
    }

    pub fn send(&self, method: &str, path: &str, body: &Value) -> Result<Value> {
        self.call(method, path, Some(body))
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let url = format!("{}{path}", self.site);
        let request = format!("{method} {path}");
        let mut attempt = 0;
        loop {
            attempt += 1;
            let b = ureq::http::Request::builder()
                .method(method)
                .uri(&url)
                .header("Authorization", &self.auth)
                .header("Accept", "application/json");
            let sent = match body {
                Some(v) => self.agent.run(
                    b.header("Content-Type", "application/json")
                        .body(v.to_string())
                        .map_err(|e| self.unreachable(&url, &e.to_string()))?,
                ),
                None => self.agent.run(
                    b.body(())
                        .map_err(|e| self.unreachable(&url, &e.to_string()))?,
                ),
            };
            let mut resp = sent.map_err(|e| self.unreachable(&url, &e.to_string()))?;
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let text = resp
                .body_mut()
                .with_config()
                .limit(256 * 1024 * 1024)
                .read_to_string()
                .map_err(|e| self.unreachable(&url, &e.to_string()))?;
            let transient = status == 429 || matches!(status, 502..=504);
            if transient && attempt < ATTEMPTS {
                let wait =
                    Duration::from_secs(retry_after.unwrap_or(1 << attempt)).min(self.max_wait);
                std::thread::sleep(wait);
                continue;
            }
            if !(200..300).contains(&status) {
                return Err(Error::Http {
                    service: "Jira".to_owned(),
                    request,
                    status,
                    message: jira_message(&text),
                });
            }
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| Error::BadInput {
                what: format!("Jira {request}"),
                message: format!("the answer is not JSON: {e}"),
            });
        }
    }

    fn unreachable(&self, url: &str, message: &str) -> Error {
        Error::Unreachable {
            service: "Jira".to_owned(),
            url: url.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// Jira's error body (`errorMessages`, `errors`) in one line.
fn jira_message(text: &str) -> String {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("no message");
        return super::plain(&line.chars().take(200).collect::<String>());
    };
    let mut parts: Vec<String> = v
        .get("errorMessages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str().map(str::to_owned))
        .collect();
    if let Some(errors) = v.get("errors").and_then(Value::as_object) {
        parts.extend(
            errors
                .iter()
                .map(|(k, m)| format!("{k}: {}", m.as_str().unwrap_or(""))),
        );
    }
    if parts.is_empty() {
        "no message".to_owned()
    } else {
        super::plain(&parts.join("; "))
    }
}
