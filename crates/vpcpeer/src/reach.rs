//! `vpcpeer reach`: asks a running server's `POST /_vpcpeer/reach` whether one endpoint can
//! reach another, and prints the verdict as a table (or the server's JSON).

use anyhow::{anyhow, bail, Context};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// How to print the verdict.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    /// Hop tables and blockers with fixes, for humans.
    Table,
    /// The server's JSON answer.
    Json,
}

/// Arguments of `vpcpeer reach`.
#[derive(clap::Args)]
#[command(after_help = "Exit status: 0 when reachable, 1 when not reachable, 2 on errors.")]
pub struct ReachArgs {
    /// Source: an instance id (i-…), an interface id (eni-…) or a private address.
    #[arg(long)]
    pub from: String,
    /// Destination: an instance id, an interface id or an address (a peer account's address
    /// is fine; ids must belong to --account).
    #[arg(long)]
    pub to: String,
    /// tcp, udp, icmp or all.
    #[arg(long, default_value = "tcp")]
    pub protocol: String,
    /// Destination port (required for tcp and udp).
    #[arg(long)]
    pub port: Option<u16>,
    /// URL of the vpcpeer server.
    #[arg(
        long,
        default_value = "http://127.0.0.1:4650",
        env = "VPCPEER_ENDPOINT"
    )]
    pub endpoint: String,
    /// The account asking (ids must belong to it).
    #[arg(long, default_value = "000000000000")]
    pub account: String,
    /// The region asking.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub output: Output,
}

/// Runs the query; `Ok(true)` when reachable.
pub fn run(args: &ReachArgs) -> anyhow::Result<bool> {
    let body = serde_json::json!({
        "account": args.account,
        "region": args.region,
        "from": args.from,
        "to": args.to,
        "protocol": args.protocol,
        "port": args.port,
    });
    let url = format!("{}/_vpcpeer/reach", args.endpoint.trim_end_matches('/'));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let (status, bytes) = runtime.block_on(post(&url, body.to_string()))?;
    let v: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{url} answered {status} with a body that is not JSON"))?;
    if status != 200 {
        let msg = v["error"].as_str().unwrap_or("unknown error");
        bail!("{msg} (HTTP {status})");
    }
    let reachable = v["reachable"]
        .as_bool()
        .ok_or_else(|| anyhow!("{url} answered without \"reachable\""))?;
    match args.output {
        Output::Json => println!("{}", serde_json::to_string_pretty(&v)?),
        Output::Table => print!("{}", render(&v, args)),
    }
    Ok(reachable)
}

async fn post(url: &str, body: String) -> anyhow::Result<(u16, Bytes)> {
    let uri: hyper::Uri = url
        .parse()
        .with_context(|| format!("bad endpoint URL {url}"))?;
    if uri.scheme_str() != Some("http") {
        bail!("the endpoint must be an http:// URL, got {url}");
    }
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let req = hyper::Request::post(uri)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .context("building the request")?;
    let resp = client
        .request(req)
        .await
        .with_context(|| format!("cannot reach the vpcpeer server at {url}"))?;
    let status = resp.status().as_u16();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .context("reading the answer")?
        .to_bytes();
    Ok((status, bytes))
}

fn header(h: &Value) -> String {
    let s = |k: &str| h[k].as_str().unwrap_or("?").to_owned();
    match (h["src_port"].as_u64(), h["dst_port"].as_u64()) {
        (Some(sp), Some(dp)) => format!(
            "{} {}:{sp} -> {}:{dp}",
            s("protocol"),
            s("src_ip"),
            s("dst_ip")
        ),
        _ => format!("{} {} -> {}", s("protocol"), s("src_ip"), s("dst_ip")),
    }
}

fn rule(r: &Value) -> String {
    let s = |k: &str| r[k].as_str().unwrap_or("?").to_owned();
    match r["type"].as_str() {
        Some("route") => format!("route {} -> {}", s("destination"), s("target")),
        Some("security-group-rule") => format!("{} {}", s("direction"), s("rule_id")),
        Some("network-acl-entry") => {
            let n = r["rule_number"]
                .as_i64()
                .map_or("*".to_owned(), |n| n.to_string());
            format!("{} #{n} {}", s("direction"), s("action"))
        }
        _ => "-".to_owned(),
    }
}

fn hop_table(out: &mut String, title: &str, hops: &[Value]) {
    use std::fmt::Write;
    let _ = writeln!(out, "\n{title}:");
    if hops.is_empty() {
        let _ = writeln!(out, "  (none)");
        return;
    }
    let rows: Vec<[String; 4]> = hops
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let c = &h["component"];
            let inb = header(&h["inbound"]);
            let outb = header(&h["outbound"]);
            let hdr = if inb == outb {
                inb
            } else {
                format!("{inb} => {outb}")
            };
            [
                (i + 1).to_string(),
                format!(
                    "{} {}",
                    c["kind"].as_str().unwrap_or("?"),
                    c["id"].as_str().unwrap_or("?")
                ),
                if h["rule"].is_null() {
                    "-".to_owned()
                } else {
                    rule(&h["rule"])
                },
                hdr,
            ]
        })
        .collect();
    let head = ["#", "COMPONENT", "RULE", "HEADER IN -> OUT"];
    let mut w = head.map(str::len);
    for r in &rows {
        for (k, cell) in r.iter().enumerate() {
            w[k] = w[k].max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        format!(
            "  {:>w0$}  {:<w1$}  {:<w2$}  {}",
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2]
        )
    };
    let _ = writeln!(out, "{}", line(head));
    for r in &rows {
        let _ = writeln!(out, "{}", line([&r[0], &r[1], &r[2], &r[3]]));
    }
}

/// The human form of a verdict.
pub fn render(v: &Value, args: &ReachArgs) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let verdict = if v["reachable"].as_bool() == Some(true) {
        "REACHABLE"
    } else {
        "NOT REACHABLE"
    };
    let what = match args.port {
        Some(p) => format!("{}/{p}", args.protocol),
        None => args.protocol.clone(),
    };
    let _ = writeln!(out, "{verdict}: {} -> {} ({what})", args.from, args.to);
    let empty = Vec::new();
    hop_table(
        &mut out,
        "Forward path",
        v["forward"].as_array().unwrap_or(&empty),
    );
    hop_table(
        &mut out,
        "Return path",
        v["return"].as_array().unwrap_or(&empty),
    );
    let blockers = v["blockers"].as_array().unwrap_or(&empty);
    if !blockers.is_empty() {
        let _ = writeln!(out, "\nBlockers:");
        for (i, b) in blockers.iter().enumerate() {
            let s = |k: &str| b[k].as_str().unwrap_or("?").to_owned();
            let _ = writeln!(
                out,
                "  {}. {} ({} path) at {} {}",
                i + 1,
                s("code"),
                s("leg"),
                b["component"]["kind"].as_str().unwrap_or("?"),
                b["component"]["id"].as_str().unwrap_or("?")
            );
            let _ = writeln!(out, "     {}", s("detail"));
            let _ = writeln!(out, "     fix: {}", s("fix"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> ReachArgs {
        ReachArgs {
            from: "i-1".into(),
            to: "10.1.0.5".into(),
            protocol: "tcp".into(),
            port: Some(443),
            endpoint: "http://127.0.0.1:1".into(),
            account: "111111111111".into(),
            region: "us-east-1".into(),
            output: Output::Table,
        }
    }

    #[test]
    fn renders_hops_and_blockers() {
        let h = serde_json::json!({"src_ip": "10.0.1.5", "dst_ip": "10.1.0.5", "protocol": "tcp",
            "src_port": 49152, "dst_port": 443});
        let v = serde_json::json!({
            "reachable": false,
            "forward": [{"component": {"kind": "route-table", "id": "rtb-1"},
                         "rule": {"type": "route", "destination": "10.1.0.0/16", "target": "pcx-1"},
                         "inbound": h, "outbound": h}],
            "return": [],
            "blockers": [{"code": "NO_ROUTE_TO_DESTINATION", "leg": "return",
                          "component": {"kind": "route-table", "id": "rtb-2"},
                          "detail": "rtb-2 has no route", "fix": "add a route"}],
        });
        let s = render(&v, &args());
        assert!(
            s.starts_with("NOT REACHABLE: i-1 -> 10.1.0.5 (tcp/443)\n"),
            "{s}"
        );
        assert!(
            s.contains(
                "route-table rtb-1  route 10.1.0.0/16 -> pcx-1  tcp 10.0.1.5:49152 -> 10.1.0.5:443"
            ),
            "{s}"
        );
        assert!(s.contains("Return path:\n  (none)"), "{s}");
        assert!(
            s.contains("1. NO_ROUTE_TO_DESTINATION (return path) at route-table rtb-2"),
            "{s}"
        );
        assert!(s.contains("     fix: add a route\n"), "{s}");
    }

    #[test]
    fn unreachable_server_is_an_error() {
        assert!(run(&args()).is_err());
    }
}
