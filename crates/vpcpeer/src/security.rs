//! `serve`'s authentication settings: `--verify-signatures`, the credentials file, the admin
//! token (`--admin-token-file`, `VPCPEER_ADMIN_TOKEN` or the file's `admin_token`), and the rule
//! that a server listening beyond loopback needs an admin token.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use vpcpeer_model::Timestamp;
use vpcpeer_server::auth::{check_admin_token, Auth, Credentials};

/// The environment variable holding the admin token (read by `serve`, `reach` and `audit`).
pub const ADMIN_TOKEN_ENV: &str = "VPCPEER_ADMIN_TOKEN";

/// Authentication options of `vpcpeer serve` (all off by default).
#[derive(clap::Args, Debug, Default)]
pub struct SecurityArgs {
    /// Verify every request: SigV4 signatures of EC2 and STS requests against the secrets of
    /// --credentials (within 15 minutes of this machine's clock), and bearer tokens for GCP
    /// projects and Azure subscriptions. Without it nothing is checked.
    #[arg(long, requires = "credentials")]
    pub verify_signatures: bool,
    /// JSON file of AWS access keys (secret and account), GCP and Azure bearer tokens (with the
    /// projects and subscriptions they grant) and the admin token; see README "Security".
    #[arg(long, value_name = "FILE", env = "VPCPEER_CREDENTIALS")]
    pub credentials: Option<PathBuf>,
    /// File whose content is the admin token that /_vpcpeer/* then requires (Authorization:
    /// Bearer TOKEN). Alternatives: the VPCPEER_ADMIN_TOKEN environment variable, or
    /// "admin_token" in --credentials. Required when --listen or --tls-listen is not a loopback
    /// address.
    #[arg(long, value_name = "FILE", env = "VPCPEER_ADMIN_TOKEN_FILE")]
    pub admin_token_file: Option<PathBuf>,
}

fn read(path: &Path, what: &str) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the {what} {}", path.display()))?;
    warn_if_shared(path, what);
    Ok(text)
}

#[cfg(unix)]
fn warn_if_shared(path: &Path, what: &str) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path) {
        if m.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "warning: the {what} {} is readable by other users; chmod 600 it",
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_shared(_path: &Path, _what: &str) {}

/// What `serve` checks, from its arguments: `listen` are the addresses it will bind, `env_token`
/// the value of `VPCPEER_ADMIN_TOKEN`, `wall_clock` the time signatures are checked against.
pub fn resolve(
    args: &SecurityArgs,
    listen: &[SocketAddr],
    env_token: Option<String>,
    wall_clock: fn() -> Timestamp,
) -> anyhow::Result<Auth> {
    let creds = match &args.credentials {
        None => None,
        Some(path) => {
            let text = read(path, "credentials file")?;
            Some(
                Credentials::from_json(&text)
                    .with_context(|| format!("loading {}", path.display()))?,
            )
        }
    };
    let mut sources: Vec<(String, &'static str)> = Vec::new();
    if let Some(path) = &args.admin_token_file {
        let t = read(path, "admin token file")?.trim().to_owned();
        sources.push((t, "--admin-token-file"));
    }
    if let Some(t) = env_token.filter(|t| !t.is_empty()) {
        sources.push((t, ADMIN_TOKEN_ENV));
    }
    if let Some(t) = creds.as_ref().and_then(Credentials::admin_token) {
        sources.push((t.to_owned(), "the credentials file's admin_token"));
    }
    for (t, from) in &sources {
        check_admin_token(t).map_err(|e| anyhow::anyhow!("{e} (from {from})"))?;
    }
    if let Some((first, from)) = sources.first() {
        if let Some((_, other)) = sources.iter().find(|(t, _)| t != first) {
            bail!("the admin token is given by {from} and by {other} with different values; give it one way");
        }
    }
    let admin = sources.into_iter().next().map(|(t, _)| t);
    let mut exposed: Vec<String> = listen
        .iter()
        .filter(|a| !a.ip().is_loopback())
        .map(ToString::to_string)
        .collect();
    // HTTP and HTTPS on port 0 of one address print alike: name it once.
    exposed.dedup();
    if !exposed.is_empty() && admin.is_none() {
        bail!(
            "refusing to listen on {} without an admin token: anyone who can reach that address could read every account's state and reset it through /_vpcpeer/*. Set a token of at least 16 characters with --admin-token-file FILE, the {ADMIN_TOKEN_ENV} environment variable, or \"admin_token\" in the --credentials file; clients send it as Authorization: Bearer TOKEN (vpcpeer reach and audit: --admin-token or {ADMIN_TOKEN_ENV}).",
            exposed.join(" and ")
        );
    }
    let verify = if args.verify_signatures {
        creds
    } else {
        if creds.as_ref().is_some_and(Credentials::has_cloud_entries) {
            eprintln!("warning: --credentials has AWS, GCP or Azure entries but --verify-signatures is off: requests are not checked");
        }
        None
    };
    if verify.is_some() && admin.is_none() {
        eprintln!("warning: --verify-signatures without an admin token: the admin API (/_vpcpeer/reset, clock, reach, audit, matrix) stays open to anyone who can connect to the server");
    }
    Ok(Auth::new(verify, admin.as_deref(), wall_clock))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        Timestamp(0)
    }

    fn addr(s: &str) -> SocketAddr {
        s.parse().expect("address")
    }

    /// [`resolve`] for one listener `listen`, with a valid admin token in the environment.
    fn with_env_token(args: &SecurityArgs, listen: &str) -> anyhow::Result<Auth> {
        resolve(args, &[addr(listen)], Some("0123456789abcdef".into()), now)
    }

    fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    }

    #[test]
    fn beyond_loopback_an_admin_token_is_mandatory() {
        let args = SecurityArgs::default();
        let e = resolve(&args, &[addr("0.0.0.0:4650")], None, now).expect_err("refused");
        let msg = e.to_string();
        assert!(
            msg.contains("refusing to listen on 0.0.0.0:4650 without an admin token"),
            "{msg}"
        );
        assert!(
            msg.contains("--admin-token-file") && msg.contains(ADMIN_TOKEN_ENV),
            "{msg}"
        );
        // The HTTPS listener counts too.
        assert!(resolve(
            &args,
            &[addr("127.0.0.1:4650"), addr("[::]:4651")],
            None,
            now
        )
        .is_err());
        // Loopback: optional.
        let a = resolve(&args, &[addr("127.0.0.1:4650"), addr("[::1]:1")], None, now).expect("ok");
        assert!(!a.has_admin_token() && !a.verifies());
        let a = with_env_token(&args, "0.0.0.0:4650").expect("ok");
        assert!(a.has_admin_token());
    }

    #[test]
    fn admin_token_sources_agree_and_are_checked() {
        let dir = tempfile::tempdir().expect("tmp");
        let token_file = file(&dir, "token", "0123456789abcdef\n");
        let creds = file(&dir, "creds.json", r#"{"admin_token": "fedcba9876543210"}"#);
        let args = SecurityArgs {
            admin_token_file: Some(token_file.clone()),
            ..Default::default()
        };
        let a = with_env_token(&args, "0.0.0.0:1").expect("same value twice is fine");
        assert!(a.has_admin_token());
        let args = SecurityArgs {
            admin_token_file: Some(token_file),
            credentials: Some(creds.clone()),
            verify_signatures: false,
        };
        let e = resolve(&args, &[], None, now).expect_err("two values");
        assert!(e.to_string().contains("with different values"), "{e}");
        let e = resolve(&SecurityArgs::default(), &[], Some("short".into()), now)
            .expect_err("too short");
        assert!(e.to_string().contains("at least 16"), "{e}");
        let args = SecurityArgs {
            credentials: Some(creds),
            verify_signatures: true,
            ..Default::default()
        };
        let a = resolve(&args, &[addr("0.0.0.0:1")], None, now).expect("file's token");
        assert!(a.has_admin_token() && a.verifies());
    }

    #[test]
    fn a_bad_credentials_file_stops_the_start_with_its_name() {
        let dir = tempfile::tempdir().expect("tmp");
        let creds = file(
            &dir,
            "creds.json",
            r#"{"aws": [{"access_key_id": "A", "secret_access_key": "s", "account": "12"}]}"#,
        );
        let args = SecurityArgs {
            credentials: Some(creds.clone()),
            verify_signatures: true,
            ..Default::default()
        };
        let e = resolve(&args, &[], None, now).expect_err("bad account");
        let msg = format!("{e:#}");
        assert!(msg.contains(&creds.display().to_string()), "{msg}");
        assert!(
            msg.contains("aws[0].account must be a 12-digit account id"),
            "{msg}"
        );
        let args = SecurityArgs {
            credentials: Some(dir.path().join("absent.json")),
            verify_signatures: true,
            ..Default::default()
        };
        assert!(
            format!("{:#}", resolve(&args, &[], None, now).expect_err("absent"))
                .contains("reading the credentials file")
        );
    }
}
