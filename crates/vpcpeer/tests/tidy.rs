//! Tidy checks that run with `cargo test`: module docs, and the crate dependency rules of
//! ARCHITECTURE.md.

use std::path::{Path, PathBuf};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/vpcpeer is two levels below the root")
        .to_path_buf()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    let mut files = Vec::new();
    rust_files(&workspace_root().join("crates"), &mut files);
    assert!(files.len() > 10, "found only {} files", files.len());
    let missing: Vec<String> = files
        .iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            !text.trim_start().starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(missing.is_empty(), "files without a //! doc: {missing:#?}");
}

fn deps_of(krate: &str) -> Vec<String> {
    let manifest = workspace_root()
        .join("crates")
        .join(krate)
        .join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    let mut in_deps = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps {
            if let Some((name, _)) = line.split_once('=') {
                out.push(name.trim().to_owned());
            }
        }
    }
    out
}

#[test]
fn dependency_directions_hold() {
    let forbidden: &[(&str, &[&str])] = &[
        (
            "vpcpeer-model",
            &[
                "tokio",
                "axum",
                "rusqlite",
                "postgres",
                "vpcpeer-store",
                "vpcpeer-service",
                "vpcpeer-wire-aws",
                "vpcpeer-wire-gcp",
                "vpcpeer-wire-azure",
                "vpcpeer-server",
            ],
        ),
        (
            "vpcpeer-store",
            &[
                "tokio",
                "axum",
                "rusqlite",
                "postgres",
                "vpcpeer-wire-aws",
                "vpcpeer-service",
            ],
        ),
        (
            "vpcpeer-wire-aws",
            &[
                "tokio",
                "axum",
                "rusqlite",
                "postgres",
                "vpcpeer-store",
                "vpcpeer-service",
                "vpcpeer-server",
                "vpcpeer-wire-gcp",
            ],
        ),
        (
            "vpcpeer-wire-gcp",
            &[
                "tokio",
                "axum",
                "rusqlite",
                "postgres",
                "vpcpeer-store",
                "vpcpeer-service",
                "vpcpeer-server",
                "vpcpeer-wire-aws",
            ],
        ),
        (
            "vpcpeer-wire-azure",
            &[
                "tokio",
                "axum",
                "rusqlite",
                "postgres",
                "vpcpeer-store",
                "vpcpeer-service",
                "vpcpeer-server",
                "vpcpeer-wire-aws",
            ],
        ),
        (
            "vpcpeer-reach",
            &[
                "tokio",
                "axum",
                "serde",
                "rusqlite",
                "postgres",
                "vpcpeer-store",
                "vpcpeer-service",
                "vpcpeer-wire-aws",
                "vpcpeer-server",
            ],
        ),
        (
            "vpcpeer-store-postgres",
            &[
                "tokio",
                "axum",
                "rusqlite",
                "vpcpeer-store-sqlite",
                "vpcpeer-service",
                "vpcpeer-server",
                "vpcpeer-wire-aws",
                "vpcpeer-wire-gcp",
                "vpcpeer-wire-azure",
                "vpcpeer-reach",
            ],
        ),
        (
            "vpcpeer-service",
            &[
                "axum",
                "rusqlite",
                "postgres",
                "vpcpeer-wire-aws",
                "vpcpeer-wire-gcp",
                "vpcpeer-wire-azure",
                "vpcpeer-server",
            ],
        ),
    ];
    for (krate, banned) in forbidden {
        let deps = deps_of(krate);
        for b in *banned {
            assert!(
                !deps.iter().any(|d| d == b),
                "{krate} must not depend on {b} (see ARCHITECTURE.md)"
            );
        }
    }
}
