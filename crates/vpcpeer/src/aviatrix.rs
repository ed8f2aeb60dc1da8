//! The Aviatrix-compatible API (`/v2/api`) wired into `vpcpeer serve`: the sans-IO
//! `vpcpeer-aviatrix` crate decides, this module does its I/O. It is mounted on the server's
//! router (`AppState::mount`), so `vpcpeer-server` knows nothing of the controller.
//!
//! - **Sessions**: any username and password log in, unless `--aviatrix-username` (env
//!   `VPCPEER_AVIATRIX_USERNAME`) and the environment variable `VPCPEER_AVIATRIX_PASSWORD` are
//!   both set; then only that pair does. A CID is drawn from `/dev/urandom`.
//! - **State**: `DATA_DIR/aviatrix.json`, read at start and written atomically (a temporary file,
//!   fsync, rename, fsync of the directory) before a change is answered; with `--ephemeral` it
//!   lives in memory only.
//! - **Apply**: a change is applied before its reply, synchronously: the state is saved, the
//!   topology it gives is applied through the drivers against this server's own HTTP address
//!   (the clouds' faces on loopback, AWS keys = the account id, as `vpcpeer apply` does without
//!   credentials), the clouds are observed again for the facts the reads show, and the state is
//!   saved with them. If the apply fails, the previous state is put back (and saved) and the
//!   reply is `return:false` with the driver's error; what the apply did meanwhile belongs to
//!   the topology `aviatrix` and the next apply finishes or removes it. One request runs at a
//!   time (Aviatrix's long tasks and `check_task_status` are not emulated). Gateway keys come
//!   from the same secret as `vpcpeer apply`'s (`controller.rs`).
//! - Every answer is HTTP 200 with Aviatrix's JSON, failures included; a body that is not a form
//!   is refused for its missing `action`. Mounted at `/v2/api` and at the older `/v1/api`.
//! - Known limit: with `serve --verify-signatures`, the apply's requests carry the test keys
//!   (access key = account id, secret `vpcpeer`), which the credentials file must then hold.
//! - `POST /_vpcpeer/reset` empties this state too (accounts, gateways, peerings; sessions
//!   stay logged in), through the reset hook registered beside the handler.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{anyhow, Context};
use vpcpeer_aviatrix::{handle, AviatrixState, Credentials, Handled, Reply, Request, Sessions};
use vpcpeer_controller::apply::{self, Clouds, Policy};
use vpcpeer_controller::{Cloud, Desired, Observed};
use vpcpeer_drivers::{Access, Drivers};
use vpcpeer_server::{MountedHandler, MountedRequest, MountedResponse, ResetHook};

/// The state file's name in the data directory.
pub const STATE_FILE: &str = "aviatrix.json";

/// The password's environment variable.
pub const PASSWORD_ENV: &str = "VPCPEER_AVIATRIX_PASSWORD";

/// `serve`'s Aviatrix options.
#[derive(clap::Args)]
pub struct AviatrixArgs {
    /// The username `/v2/api`'s login requires, with the password in VPCPEER_AVIATRIX_PASSWORD
    /// (any pair logs in when neither is set).
    #[arg(long, value_name = "NAME", env = "VPCPEER_AVIATRIX_USERNAME")]
    pub aviatrix_username: Option<String>,
}

/// The login credentials, from the flag and the environment.
pub fn credentials(args: &AviatrixArgs) -> anyhow::Result<Option<Credentials>> {
    let password = std::env::var(PASSWORD_ENV).ok();
    match (&args.aviatrix_username, password) {
        (None, None) => Ok(None),
        (Some(username), Some(password)) => Ok(Some(Credentials {
            username: username.clone(),
            password,
        })),
        (Some(_), None) => Err(anyhow!(
            "--aviatrix-username needs the password in {PASSWORD_ENV}"
        )),
        (None, Some(_)) => Err(anyhow!(
            "{PASSWORD_ENV} is set: give the username with --aviatrix-username"
        )),
    }
}

struct Inner {
    state: AviatrixState,
    sessions: Sessions,
}

/// The API's service: the state, the sessions, where to save and what to apply against.
pub struct Service {
    inner: tokio::sync::Mutex<Inner>,
    file: Option<PathBuf>,
    endpoint: String,
}

impl Service {
    /// Opens the state (`dir/aviatrix.json`, or memory when `dir` is `None`); the clouds are
    /// reached at `endpoint`.
    pub fn open(
        dir: Option<&Path>,
        endpoint: String,
        credentials: Option<Credentials>,
    ) -> anyhow::Result<Service> {
        if let Some(d) = dir {
            std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
        }
        let file = dir.map(|d| d.join(STATE_FILE));
        let state = match &file {
            Some(f) if f.exists() => {
                let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
                AviatrixState::from_json(&bytes).with_context(|| f.display().to_string())?
            }
            _ => AviatrixState::default(),
        };
        Ok(Service {
            inner: tokio::sync::Mutex::new(Inner {
                state,
                sessions: Sessions::new(credentials),
            }),
            file,
            endpoint,
        })
    }

    /// The handler to mount at `/v2/api`, and the hook that empties the state when the world
    /// is reset.
    pub fn handler(self) -> (MountedHandler, ResetHook) {
        let me = Arc::new(self);
        let reset: ResetHook = {
            let me = me.clone();
            Arc::new(move || {
                let me = me.clone();
                Box::pin(async move { me.reset().await })
            })
        };
        let handler: MountedHandler = Arc::new(move |req: MountedRequest| {
            let me = me.clone();
            Box::pin(async move {
                let reply = me.serve(req).await;
                MountedResponse {
                    status: 200,
                    content_type: "application/json",
                    body: reply.to_bytes(),
                }
            })
        });
        (handler, reset)
    }

    /// Empties the state (and its file) as the world is reset; sessions stay.
    async fn reset(&self) {
        let mut inner = self.inner.lock().await;
        inner.state = AviatrixState::default();
        if let Err(e) = self.save(&inner.state) {
            tracing::error!(error = %format!("{e:#}"), "saving the emptied Aviatrix state");
        }
    }

    async fn serve(&self, req: MountedRequest) -> Reply {
        let request = Request::parse(&req.query, &req.body);
        let random = match random() {
            Ok(r) => r,
            Err(e) => return Reply::fail(format!("internal error: {e}")),
        };
        let mut inner = self.inner.lock().await;
        let Inner { state, sessions } = &mut *inner;
        match handle(state, sessions, &request, random) {
            Handled::Reply(r) => r,
            Handled::Change {
                next,
                desired,
                apply,
                answer,
            } => {
                let mut next = *next;
                if let Err(e) = self.save(&next) {
                    tracing::error!(error = %format!("{e:#}"), "saving the Aviatrix state");
                    return Reply::fail(format!("The change could not be saved: {e:#}"));
                }
                if apply {
                    match self.apply(*desired).await {
                        Ok((observed, ips)) => {
                            next.record(&observed, &ips);
                            if let Err(e) = self.save(&next) {
                                tracing::error!(error = %format!("{e:#}"), "saving the Aviatrix state");
                            }
                        }
                        Err(e) => {
                            if let Err(e) = self.save(state) {
                                tracing::error!(error = %format!("{e:#}"), "saving the Aviatrix state");
                            }
                            return Reply::fail(format!(
                                "The change was not made: applying it failed: {e:#}"
                            ));
                        }
                    }
                }
                *state = next;
                answer.reply(state)
            }
        }
    }

    /// Writes the state file atomically (nothing in memory mode).
    fn save(&self, state: &AviatrixState) -> anyhow::Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        write_atomically(file, &state.to_json())
    }

    /// Applies `desired` on a thread of its own (the drivers run their own runtime, and their
    /// calls come back to this server), then observes the clouds.
    async fn apply(
        &self,
        mut desired: Desired,
    ) -> anyhow::Result<(Observed, BTreeMap<String, String>)> {
        if !desired.gateways.is_empty() {
            desired.gateway_secret = Some(crate::controller::gateway_secret()?);
        }
        let endpoint = self.endpoint.clone();
        tokio::task::spawn_blocking(move || apply_blocking(&desired, endpoint))
            .await
            .map_err(|e| anyhow!("the apply stopped: {e}"))?
    }
}

fn apply_blocking(
    desired: &Desired,
    endpoint: String,
) -> anyhow::Result<(Observed, BTreeMap<String, String>)> {
    let access = desired
        .accounts
        .iter()
        .map(|(name, a)| {
            let access = Access {
                endpoint: endpoint.clone(),
                aws_keys: (a.cloud == Cloud::Aws).then(|| (a.id.clone(), "vpcpeer".to_string())),
                token: None,
            };
            (name.clone(), access)
        })
        .collect();
    let mut dr = Drivers::new(access, Box::new(SystemTime::now));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the apply's runtime")?;
    runtime.block_on(async {
        let mut quiet = |_: apply::Event<'_>| {};
        apply::apply(&mut dr, desired, &Policy::default(), &mut quiet)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let observed = dr.observe(desired).await.map_err(|e| anyhow!("{e}"))?;
        let endpoints = dr.endpoints(desired).await.map_err(|e| anyhow!("{e}"))?;
        let ips = endpoints
            .into_values()
            .flatten()
            .map(|e| (e.id, e.ip))
            .collect();
        Ok((observed, ips))
    })
}

/// 128 bits from the OS.
fn random() -> std::io::Result<u128> {
    use std::io::Read as _;
    let mut b = [0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut b)?;
    Ok(u128::from_le_bytes(b))
}

/// Writes `bytes` to `file` so that a crash leaves the old or the new content, never a mix.
fn write_atomically(file: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let dir = file.parent().unwrap_or(Path::new("."));
    let tmp = file.with_extension("json.tmp");
    {
        let mut f =
            std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .with_context(|| format!("writing {}", tmp.display()))?;
    }
    std::fs::rename(&tmp, file).with_context(|| format!("renaming to {}", file.display()))?;
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing {}", dir.display()))?;
    Ok(())
}
