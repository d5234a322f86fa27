//! `REDIS_URL`: the server answers `PING`, after `AUTH` when the URL has credentials.
//!
//! Hand-written rather than through the `redis` crate: two RESP commands over a TCP socket are a
//! few lines, where the crate would add a client library to a CLI that only asks "are you there?".

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};

use percent_encoding::percent_decode_str;

use super::{Finding, Setup, TIMEOUT};

const VARIABLE: &str = "REDIS_URL";
const DEFAULT_PORT: u16 = 6379;

/// The parts of a `redis://[user[:password]@]host[:port][/db]` URL that reaching it needs.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    host: String,
    port: u16,
    user: Option<String>,
    password: Option<String>,
}

impl Target {
    fn address(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Why a `REDIS_URL` cannot be checked.
#[derive(Debug, PartialEq, Eq)]
enum UrlError {
    /// Not a `redis://` URL.
    Invalid,
    /// `rediss://` (TLS) or a Unix socket, which this check does not speak.
    Unsupported(String),
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

fn parse(url: &str) -> Result<Target, UrlError> {
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(UrlError::Invalid);
    };
    match scheme {
        "redis" => {}
        "rediss" | "redis+unix" | "unix" => return Err(UrlError::Unsupported(scheme.to_string())),
        _ => return Err(UrlError::Invalid),
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (credentials, host_port) = match authority.rsplit_once('@') {
        Some((credentials, host_port)) => (Some(credentials), host_port),
        None => (None, authority),
    };
    let (user, password) = match credentials.map(|c| c.split_once(':')) {
        None => (None, None),
        Some(None) => (Some(decode(credentials.unwrap_or_default())), None),
        Some(Some((user, password))) => (Some(decode(user)), Some(decode(password))),
    };
    let (host, port) = if let Some(bracketed) = host_port.strip_prefix('[') {
        let (host, after) = bracketed.split_once(']').ok_or(UrlError::Invalid)?;
        (host, after.strip_prefix(':'))
    } else {
        match host_port.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let port = match port {
        Some(port) => port.parse().map_err(|_| UrlError::Invalid)?,
        None => DEFAULT_PORT,
    };
    Ok(Target {
        host: if host.is_empty() { "localhost" } else { host }.to_string(),
        port,
        user: user.filter(|u| !u.is_empty()),
        password: password.filter(|p| !p.is_empty()),
    })
}

/// One RESP command, as an array of bulk strings.
fn command(parts: &[&str]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", parts.len()).into_bytes();
    for part in parts {
        out.extend_from_slice(format!("${}\r\n{part}\r\n", part.len()).as_bytes());
    }
    out
}

/// How talking to the server went.
#[derive(Debug)]
enum Outcome {
    Pong,
    /// The server's error reply, such as `NOAUTH Authentication required.`.
    Refused(String),
    Io(std::io::Error),
}

fn ping(target: &Target) -> Outcome {
    let exchange = || -> std::io::Result<Outcome> {
        let address = (target.host.as_str(), target.port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no address"))?;
        let stream = TcpStream::connect_timeout(&address, TIMEOUT)?;
        stream.set_read_timeout(Some(TIMEOUT))?;
        stream.set_write_timeout(Some(TIMEOUT))?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut writer = stream;
        if let Some(password) = &target.password {
            let auth = match &target.user {
                Some(user) => command(&["AUTH", user, password]),
                None => command(&["AUTH", password]),
            };
            writer.write_all(&auth)?;
            if let Some(error) = error_reply(&mut reader)? {
                return Ok(Outcome::Refused(error));
            }
        }
        writer.write_all(&command(&["PING"]))?;
        Ok(match error_reply(&mut reader)? {
            Some(error) => Outcome::Refused(error),
            None => Outcome::Pong,
        })
    };
    exchange().unwrap_or_else(Outcome::Io)
}

/// Reads one reply line: `None` for a success (`+OK`, `+PONG`), the message of an error (`-...`).
fn error_reply(reader: &mut impl BufRead) -> std::io::Result<Option<String>> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the server closed the connection",
        ));
    }
    Ok(line
        .strip_prefix('-')
        .map(|error| error.trim_end().to_string()))
}

/// The server in `REDIS_URL` answers `PING`.
pub fn check(setup: &Setup) -> Finding {
    let Some(url) = setup.env.non_empty(VARIABLE) else {
        return Finding::skipped(format!("{VARIABLE} is not set"));
    };
    let target = match parse(&url) {
        Ok(target) => target,
        Err(UrlError::Invalid) => {
            return Finding::problem(
                format!("{VARIABLE} is not a Redis URL"),
                "write it as redis://HOST:PORT, or redis://:PASSWORD@HOST:PORT (see .env.example)",
            );
        }
        Err(UrlError::Unsupported(scheme)) => {
            return Finding::skipped(format!(
                "{VARIABLE} uses {scheme}://, which doctor does not connect to"
            ));
        }
    };
    let address = target.address();
    match ping(&target) {
        Outcome::Pong => Finding::ok(format!("Redis at {address} answers PING")),
        Outcome::Refused(error) if error.starts_with("NOAUTH") => Finding::problem(
            format!("Redis at {address} requires a password"),
            format!("put it in {VARIABLE}: redis://:PASSWORD@{address}"),
        ),
        Outcome::Refused(error)
            if error.starts_with("WRONGPASS") || error.contains("invalid password") =>
        {
            Finding::problem(
                format!("Redis at {address} refused the credentials: {error}"),
                format!("check the user and password in {VARIABLE}"),
            )
        }
        Outcome::Refused(error) => Finding::problem(
            format!("Redis at {address} answered: {error}"),
            format!("check {VARIABLE} and the server's configuration"),
        ),
        Outcome::Io(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => {
            Finding::problem(
                format!("nothing listens on {address} (connection refused)"),
                format!(
                    "start Redis (`make up` runs it in a container), or fix the host and port in {VARIABLE}"
                ),
            )
        }
        Outcome::Io(error) => Finding::problem(
            format!("cannot reach Redis at {address}: {error}"),
            format!("check that the host in {VARIABLE} is reachable from here"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(host: &str, port: u16, user: Option<&str>, password: Option<&str>) -> Target {
        Target {
            host: host.to_string(),
            port,
            user: user.map(str::to_string),
            password: password.map(str::to_string),
        }
    }

    #[test]
    fn a_url_without_port_or_credentials_uses_the_default_port() {
        assert_eq!(
            parse("redis://localhost"),
            Ok(target("localhost", 6379, None, None))
        );
        assert_eq!(
            parse("redis://127.0.0.1:6380/2"),
            Ok(target("127.0.0.1", 6380, None, None))
        );
    }

    #[test]
    fn credentials_are_percent_decoded() {
        assert_eq!(
            parse("redis://:p%40ss@cache:6379/0"),
            Ok(target("cache", 6379, None, Some("p@ss")))
        );
        assert_eq!(
            parse("redis://app:secret@[::1]:7000"),
            Ok(target("::1", 7000, Some("app"), Some("secret")))
        );
    }

    #[test]
    fn tls_and_unknown_schemes_are_told_apart() {
        assert_eq!(
            parse("rediss://cache:6380"),
            Err(UrlError::Unsupported("rediss".to_string()))
        );
        assert_eq!(parse("http://cache"), Err(UrlError::Invalid));
        assert_eq!(parse("redis://cache:port"), Err(UrlError::Invalid));
    }

    #[test]
    fn commands_are_resp_arrays_of_bulk_strings() {
        assert_eq!(command(&["PING"]), b"*1\r\n$4\r\nPING\r\n");
        assert_eq!(
            command(&["AUTH", "pw"]),
            b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n"
        );
    }
}
