//! Tidy checks that run with `cargo test`: module docs, the crate dependency rules of
//! ARCHITECTURE.md on the whole resolved dependency graph (`cargo metadata`), the size of source
//! files, and import cycles between the modules of one crate.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

use serde_json::Value;

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

/// A path relative to the workspace root, with `/` separators (for messages and allowlists).
fn relative(p: &Path) -> String {
    p.strip_prefix(workspace_root())
        .unwrap_or(p)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
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

// ---------------------------------------------------------------------------------------------
// Dependency rules, on the resolved graph.

/// The workspace's resolved dependency graph: package names and, for each package, the packages
/// it needs to build and run (normal and build dependencies; dev-dependencies only count for the
/// package's own tests, so they are not followed). Features are as the workspace resolves them
/// together, which is what a build of the binary links.
struct Graph {
    name: HashMap<String, String>,
    deps: HashMap<String, Vec<String>>,
    by_name: HashMap<String, String>,
}

impl Graph {
    fn load() -> Graph {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let out = std::process::Command::new(cargo)
            .args([
                "metadata",
                "--format-version",
                "1",
                "--offline",
                "--manifest-path",
            ])
            .arg(workspace_root().join("Cargo.toml"))
            .output()
            .expect("run cargo metadata");
        assert!(
            out.status.success(),
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
        let members: BTreeSet<&str> = meta["workspace_members"]
            .as_array()
            .expect("workspace_members")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let mut name = HashMap::new();
        let mut by_name = HashMap::new();
        for p in meta["packages"].as_array().expect("packages") {
            let id = p["id"].as_str().expect("id").to_owned();
            let n = p["name"].as_str().expect("name").to_owned();
            if members.contains(id.as_str()) {
                by_name.insert(n.clone(), id.clone());
            }
            name.insert(id, n);
        }
        let mut deps = HashMap::new();
        for node in meta["resolve"]["nodes"].as_array().expect("resolve.nodes") {
            let id = node["id"].as_str().expect("node id").to_owned();
            let list = node["deps"]
                .as_array()
                .expect("node deps")
                .iter()
                .filter(|d| {
                    d["dep_kinds"].as_array().is_some_and(|kinds| {
                        kinds
                            .iter()
                            .any(|k| k["kind"].is_null() || k["kind"] == "build")
                    })
                })
                .map(|d| d["pkg"].as_str().expect("dep pkg").to_owned())
                .collect();
            deps.insert(id, list);
        }
        Graph {
            name,
            deps,
            by_name,
        }
    }

    /// Every package `krate` depends on, directly or not, without walking into the packages named
    /// in `through` (they are listed, their own dependencies are not), each with the chain of
    /// names that leads to it.
    fn closure(&self, krate: &str, through: &[&str]) -> BTreeMap<String, Vec<String>> {
        let root = self
            .by_name
            .get(krate)
            .unwrap_or_else(|| panic!("{krate} is not a workspace member: update tidy.rs"));
        let mut chain: HashMap<&str, Vec<String>> = HashMap::new();
        chain.insert(root, vec![krate.to_owned()]);
        let mut queue = VecDeque::from([root.as_str()]);
        let mut out = BTreeMap::new();
        while let Some(id) = queue.pop_front() {
            let here = chain[id].clone();
            let name = &self.name[id];
            if id != root && through.contains(&name.as_str()) {
                continue;
            }
            for d in self.deps.get(id).into_iter().flatten() {
                if chain.contains_key(d.as_str()) {
                    continue;
                }
                let mut c = here.clone();
                c.push(self.name[d].clone());
                out.entry(self.name[d].clone()).or_insert_with(|| c.clone());
                chain.insert(d.as_str(), c);
                queue.push_back(d);
            }
        }
        out
    }
}

const WIRE: [&str; 3] = ["vpcpeer-wire-aws", "vpcpeer-wire-gcp", "vpcpeer-wire-azure"];

/// A ban of ARCHITECTURE.md: `krate` never depends on any of `banned`, directly or through any
/// other package, except through the packages of `through` (see the PostgreSQL store).
struct Ban {
    krate: &'static str,
    banned: Vec<&'static str>,
    through: &'static [&'static str],
    why: &'static str,
}

fn bans() -> Vec<Ban> {
    let io = ["tokio", "axum", "hyper", "rusqlite", "postgres"];
    let ours_above_model = [
        "vpcpeer-store",
        "vpcpeer-store-sqlite",
        "vpcpeer-store-postgres",
        "vpcpeer-service",
        "vpcpeer-server",
        "vpcpeer-reach",
        "vpcpeer",
    ];
    let mut out = vec![Ban {
        krate: "vpcpeer-model",
        banned: [&io[..], &ours_above_model[..], &WIRE[..]].concat(),
        through: &[],
        why: "the model does no I/O, knows no wire format and never depends on reach",
    }];
    for store in ["vpcpeer-store", "vpcpeer-store-sqlite"] {
        out.push(Ban {
            krate: store,
            banned: [
                &["tokio", "axum", "hyper", "postgres"][..],
                &WIRE[..],
                &["vpcpeer-service", "vpcpeer-server", "vpcpeer-reach"][..],
            ]
            .concat(),
            through: &[],
            why: "the store never depends on tokio, axum, a wire crate or postgres",
        });
    }
    out.push(Ban {
        krate: "vpcpeer-store",
        banned: vec!["rusqlite", "vpcpeer-store-sqlite", "vpcpeer-store-postgres"],
        through: &[],
        why: "the store trait knows no backend",
    });
    out.push(Ban {
        krate: "vpcpeer-store-postgres",
        banned: [
            &["axum", "hyper", "rusqlite", "vpcpeer-store-sqlite"][..],
            &["vpcpeer-service", "vpcpeer-server", "vpcpeer-reach"][..],
            &WIRE[..],
        ]
        .concat(),
        through: &[],
        why: "the PostgreSQL store depends on no server, service, wire crate or SQLite",
    });
    out.push(Ban {
        krate: "vpcpeer-store-postgres",
        banned: vec!["tokio", "tokio-postgres"],
        through: &["postgres"],
        why: "tokio reaches the PostgreSQL store only inside the sync `postgres` client",
    });
    out.push(Ban {
        krate: "vpcpeer-service",
        banned: [
            &["axum", "hyper", "rusqlite", "postgres"][..],
            &["vpcpeer-store-sqlite", "vpcpeer-store-postgres"][..],
            &["vpcpeer-server", "vpcpeer-reach"][..],
            &WIRE[..],
        ]
        .concat(),
        through: &[],
        why: "the service knows no backend, wire format or reachability, and never postgres",
    });
    for w in WIRE {
        out.push(Ban {
            krate: w,
            banned: [
                &io[..],
                &WIRE.iter().copied().filter(|o| *o != w).collect::<Vec<_>>()[..],
                &[
                    "vpcpeer-store",
                    "vpcpeer-store-sqlite",
                    "vpcpeer-store-postgres",
                    "vpcpeer-service",
                    "vpcpeer-server",
                ][..],
            ]
            .concat(),
            through: &[],
            why: "wire crates do no I/O and never depend on each other, the store, the service \
                  or the server",
        });
    }
    out.push(Ban {
        krate: "vpcpeer-api",
        banned: [
            &io[..],
            &["vpcpeer-model"][..],
            &ours_above_model[..],
            &WIRE[..],
        ]
        .concat(),
        through: &[],
        why: "the API shapes are plain serde types that the CLI, the controller and the console \
              share; they carry no model or engine type",
    });
    out.push(Ban {
        krate: "vpcpeer-controller",
        banned: [
            &io[..],
            &["vpcpeer-model", "vpcpeer-reach", "vpcpeer-api"][..],
            &ours_above_model[..],
            &WIRE[..],
        ]
        .concat(),
        through: &[],
        why: "the controller's core is sans-IO and a client of the clouds' public APIs: it \
              knows none of the emulator's crates (no back door into its state)",
    });
    out.push(Ban {
        krate: "vpcpeer-drivers",
        banned: [
            &["vpcpeer-model", "vpcpeer-reach", "vpcpeer-api", "axum"][..],
            &ours_above_model[..],
            &WIRE[..],
        ]
        .concat(),
        through: &[],
        why: "the drivers are clients of the clouds' public APIs: no emulator crate outside \
              their tests (no back door into its state)",
    });
    out.push(Ban {
        krate: "vpcpeer-aviatrix",
        banned: [
            &io[..],
            &[
                "vpcpeer-model",
                "vpcpeer-reach",
                "vpcpeer-api",
                "vpcpeer-drivers",
            ][..],
            &ours_above_model[..],
            &WIRE[..],
        ]
        .concat(),
        through: &[],
        why: "the Aviatrix API is sans-IO: it edits a topology for the controller and knows \
              none of the emulator's crates nor the drivers (the composition root applies it)",
    });
    out.push(Ban {
        krate: "vpcpeer-server",
        banned: vec!["vpcpeer-controller", "vpcpeer-drivers", "vpcpeer-aviatrix"],
        through: &[],
        why: "the server is the emulator's face: the controller and the Aviatrix API sit beside \
              it, mounted by the composition root (`AppState::mount`), never inside it",
    });
    out.push(Ban {
        krate: "vpcpeer-gateway",
        banned: [
            &io[..],
            &["vpcpeer-model", "vpcpeer-api", "vpcpeer-controller"][..],
            &ours_above_model[..],
            &WIRE[..],
        ]
        .concat(),
        through: &[],
        why: "the gateway image's configuration is shared by the controller (which writes it) \
              and the reachability engine (which reads it): it does no I/O and knows neither",
    });
    out.push(Ban {
        krate: "vpcpeer-reach",
        banned: [
            &io[..],
            &[
                "vpcpeer-store",
                "vpcpeer-store-sqlite",
                "vpcpeer-store-postgres",
                "vpcpeer-service",
                "vpcpeer-server",
            ][..],
            &WIRE[..],
        ]
        .concat(),
        through: &[],
        why: "reach does no I/O and knows no wire format, store, service or server",
    });
    out
}

#[test]
fn dependency_rules_hold_on_the_whole_graph() {
    let g = Graph::load();
    let mut broken = Vec::new();
    for ban in bans() {
        let all = g.closure(ban.krate, ban.through);
        for b in &ban.banned {
            if let Some(chain) = all.get(*b) {
                broken.push(format!(
                    "{} must not depend on {b} ({}): {}",
                    ban.krate,
                    ban.why,
                    chain.join(" → ")
                ));
            }
        }
    }
    assert!(broken.is_empty(), "see ARCHITECTURE.md: {broken:#?}");
}

/// The reach crate stays free of serde (its answers are rendered by the server); a direct
/// dependency only, since the model it reads derives serde for its records.
#[test]
fn reach_has_no_direct_serde_dependency() {
    let g = Graph::load();
    let id = &g.by_name["vpcpeer-reach"];
    let direct: Vec<&str> = g.deps[id].iter().map(|d| g.name[d].as_str()).collect();
    assert!(!direct.contains(&"serde"), "vpcpeer-reach → serde");
}

/// `vpcpeer-api` is the one set of shapes the server writes and the CLI (and, next, the controller
/// and the console) read: serde alone, so any client can take it without the emulator.
#[test]
fn the_api_crate_depends_on_serde_alone() {
    let g = Graph::load();
    let id = &g.by_name["vpcpeer-api"];
    let direct: Vec<&str> = g.deps[id].iter().map(|d| g.name[d].as_str()).collect();
    assert_eq!(direct, ["serde"], "vpcpeer-api's dependencies");
}

#[test]
fn the_graph_sees_transitive_dependencies() {
    // The check above would pass vacuously on a graph that lost its edges: the PostgreSQL store
    // does reach tokio through `postgres`, and the binary reaches every crate.
    let g = Graph::load();
    // If `postgres` ever stops pulling tokio in, ARCHITECTURE.md's explanation of the
    // PostgreSQL store's ban can be dropped with this line.
    let pg = g.closure("vpcpeer-store-postgres", &[]);
    assert!(pg.contains_key("tokio"), "{pg:?}");
    assert_eq!(
        pg["tokio"].first().map(String::as_str),
        Some("vpcpeer-store-postgres")
    );
    let bin = g.closure("vpcpeer", &[]);
    for k in [
        "vpcpeer-model",
        "vpcpeer-reach",
        "vpcpeer-wire-azure",
        "serde",
    ] {
        assert!(bin.contains_key(k), "vpcpeer → {k}");
    }
    assert!(!g
        .closure("vpcpeer-store-postgres", &["postgres"])
        .contains_key("tokio"));
}

// ---------------------------------------------------------------------------------------------
// Sizes and module cycles.

/// Files allowed over [`MAX_LINES`] and module cycles allowed, each with its reason. Empty: every
/// entry must be argued for; an entry that no longer applies fails the test.
const TOO_LONG_ALLOWED: &[&str] = &[];
const CYCLES_ALLOWED: &[&str] = &[];

/// The most lines a non-test source file may have.
const MAX_LINES: usize = 800;

/// Whether `p` is test code: under a `tests/` or `benches/` folder, or named `tests.rs` or
/// `*_tests.rs` (test modules split out of a source file).
fn is_test_file(p: &str) -> bool {
    p.contains("/tests/")
        || p.contains("/benches/")
        || p.ends_with("/tests.rs")
        || p.ends_with("_tests.rs")
}

#[test]
fn no_source_file_is_too_long() {
    let mut files = Vec::new();
    rust_files(&workspace_root().join("crates"), &mut files);
    let mut long = BTreeSet::new();
    for f in &files {
        let p = relative(f);
        if is_test_file(&p) {
            continue;
        }
        let n = std::fs::read_to_string(f)
            .unwrap_or_default()
            .lines()
            .count();
        if n > MAX_LINES {
            long.insert(format!("{p} ({n} lines)"));
        }
    }
    let unexpected: Vec<&String> = long
        .iter()
        .filter(|l| {
            !TOO_LONG_ALLOWED
                .iter()
                .any(|a| l.starts_with(&format!("{a} ")))
        })
        .collect();
    assert!(
        unexpected.is_empty(),
        "split these by area (at most {MAX_LINES} lines): {unexpected:#?}"
    );
    let stale: Vec<&&str> = TOO_LONG_ALLOWED
        .iter()
        .filter(|a| !long.iter().any(|l| l.starts_with(&format!("{a} "))))
        .collect();
    assert!(
        stale.is_empty(),
        "no longer too long, remove from TOO_LONG_ALLOWED: {stale:?}"
    );
}

/// A module path inside a crate (`[]` is the crate root).
type Module = Vec<String>;

/// The module a file under `src/` defines: `lib.rs` or `main.rs` the crate root, `a.rs` (or
/// `mod.rs` in folder `a`) module `a`, and `b.rs` in folder `a` module `a::b`. `None` for
/// separate binaries under `src/bin/`.
fn module_of(src: &Path, file: &Path) -> Option<Module> {
    let rel: Vec<String> = file
        .strip_prefix(src)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if rel.first().is_some_and(|f| f == "bin") {
        return None;
    }
    let mut m = rel;
    let last = m.pop()?;
    let stem = last.strip_suffix(".rs")?;
    if !(m.is_empty() && (stem == "lib" || stem == "main")) && stem != "mod" {
        m.push(stem.to_owned());
    }
    Some(m)
}

/// The text of a file without comments and without an inline `#[cfg(test)] mod … { … }` at its
/// end (test modules use their parent freely).
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]")
            && lines
                .peek()
                .is_some_and(|n| n.trim_start().starts_with("mod ") && n.trim_end().ends_with('{'))
        {
            break;
        }
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// Expands a `use` tree (`a::{b, c::{self, D}}`) into its full paths.
fn expand_use(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let path_like = tree
        .chars()
        .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_:{},*".contains(c));
    if !path_like || tree.matches('{').count() != tree.matches('}').count() {
        // Not a `use` tree (the word "use" in a string or a comment).
        return Vec::new();
    }
    let Some(open) = tree.find('{') else {
        let path = tree.split(" as ").next().unwrap_or(tree);
        let path: String = path.chars().filter(|c| !c.is_whitespace()).collect();
        return vec![path.trim_end_matches("::self").to_owned()];
    };
    let prefix: String = tree[..open]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let prefix = prefix.trim_end_matches("::");
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| {
            expand_use(p).into_iter().map(|s| {
                if s == "self" {
                    prefix.to_owned()
                } else if prefix.is_empty() {
                    s
                } else {
                    format!("{prefix}::{s}")
                }
            })
        })
        .collect()
}

/// The module a path used in module `from` names: the longest prefix of it that is a module of
/// the crate. Paths start at `crate::`, `super::`, `self::`, or (in `use`) a child module.
fn resolve(from: &Module, path: &str, modules: &BTreeSet<Module>) -> Option<Module> {
    let mut segs = path.split("::").peekable();
    let mut base: Module = match *segs.peek()? {
        "crate" => {
            segs.next();
            Vec::new()
        }
        "self" => {
            segs.next();
            from.clone()
        }
        "super" => {
            let mut b = from.clone();
            while segs.peek() == Some(&"super") {
                segs.next();
                b.pop()?;
            }
            b
        }
        first => {
            let mut child = from.clone();
            child.push(first.to_owned());
            if !modules.contains(&child) {
                return None;
            }
            from.clone()
        }
    };
    for s in segs {
        let mut next = base.clone();
        next.push(s.to_owned());
        if !modules.contains(&next) {
            break;
        }
        base = next;
    }
    Some(base)
}

/// Edges `module → module it uses` of one crate's `src/`, leaving out uses of a module's own
/// ancestors (a child uses its parent's items; that is no cycle).
fn module_graph(src: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut texts = BTreeMap::new();
    for f in &files {
        if let Some(m) = module_of(src, f) {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            texts.insert(m, code_of(&text));
        }
    }
    let modules: BTreeSet<Module> = texts.keys().cloned().collect();
    let mut edges: BTreeMap<Module, BTreeSet<Module>> = BTreeMap::new();
    for (m, code) in &texts {
        let mut paths = Vec::new();
        // `use` statements, whole trees.
        let mut rest = code.as_str();
        while let Some(i) = rest.find("use ") {
            let before = rest[..i].chars().last();
            let after = &rest[i + 4..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                rest = after;
                continue;
            }
            let end = after.find(';').unwrap_or(after.len());
            paths.extend(expand_use(&after[..end]));
            rest = &after[end..];
        }
        // Paths written out in code: `crate::a::f(…)`, `super::b::C`.
        for start in ["crate::", "super::"] {
            let mut from = 0;
            while let Some(i) = code[from..].find(start) {
                let at = from + i;
                let ok = code[..at]
                    .chars()
                    .last()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == ':'));
                let end = code[at..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .map_or(code.len(), |e| at + e);
                if ok {
                    paths.push(code[at..end].trim_end_matches(':').to_owned());
                }
                from = end.max(at + 1);
            }
        }
        for p in paths {
            if let Some(t) = resolve(m, &p, &modules) {
                if t != *m && !m.starts_with(&t) {
                    edges.entry(m.clone()).or_default().insert(t);
                }
            }
        }
    }
    edges
}

/// The strongly connected components of more than one module (Tarjan's algorithm).
fn cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct State<'a> {
        edges: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: HashMap<&'a Module, usize>,
        low: HashMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        out: Vec<Vec<Module>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for w in s.edges.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(w);
                scc.push(w.clone());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                scc.sort();
                s.out.push(scc);
            }
        }
    }
    let mut s = State {
        edges,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

fn cycle_name(krate: &str, scc: &[Module]) -> String {
    let names: Vec<String> = scc
        .iter()
        .map(|m| {
            if m.is_empty() {
                "crate".into()
            } else {
                m.join("::")
            }
        })
        .collect();
    format!("{krate}: {}", names.join(", "))
}

#[test]
fn no_import_cycle_between_modules_of_a_crate() {
    let crates = workspace_root().join("crates");
    let mut found = BTreeSet::new();
    for e in std::fs::read_dir(&crates).expect("crates/").flatten() {
        let src = e.path().join("src");
        if !src.is_dir() {
            continue;
        }
        let krate = e.file_name().to_string_lossy().into_owned();
        for scc in cycles(&module_graph(&src)) {
            found.insert(cycle_name(&krate, &scc));
        }
    }
    let unexpected: Vec<&String> = found
        .iter()
        .filter(|c| !CYCLES_ALLOWED.contains(&c.as_str()))
        .collect();
    assert!(
        unexpected.is_empty(),
        "modules that use each other (move what they share to a module both can use): \
         {unexpected:#?}"
    );
    let stale: Vec<&&str> = CYCLES_ALLOWED
        .iter()
        .filter(|a| !found.contains(**a))
        .collect();
    assert!(
        stale.is_empty(),
        "no longer a cycle, remove from CYCLES_ALLOWED: {stale:?}"
    );
}

#[test]
fn the_cycle_finder_finds_cycles() {
    // Two sibling modules naming each other form a cycle; a child using its parent does not.
    let m = |s: &str| -> Module { s.split("::").map(str::to_owned).collect() };
    let modules: BTreeSet<Module> = [vec![], m("a"), m("b"), m("a::c")].into_iter().collect();
    assert_eq!(resolve(&m("a"), "crate::b::X", &modules), Some(m("b")));
    assert_eq!(
        resolve(&m("a::c"), "super::super::b", &modules),
        Some(m("b"))
    );
    assert_eq!(resolve(&m("a"), "c::Y", &modules), Some(m("a::c")));
    assert_eq!(
        expand_use("crate::{a::{self, X}, b::Y}"),
        ["crate::a", "crate::a::X", "crate::b::Y"]
    );
    let mut edges = BTreeMap::new();
    edges.insert(m("a"), BTreeSet::from([m("b"), m("a::c")]));
    edges.insert(m("b"), BTreeSet::from([m("a")]));
    assert_eq!(cycles(&edges), vec![vec![m("a"), m("b")]]);
    edges.insert(m("b"), BTreeSet::new());
    assert!(cycles(&edges).is_empty());
}

/// Every change a face makes is a command value (`Emulator::execute`), so it is in the command
/// log and can be replayed: no face, nor the composition root, changes the world with a closure
/// (`Emulator::execute_fn`, kept for tests and tools).
#[test]
fn no_face_changes_the_world_with_a_closure() {
    let root = workspace_root();
    let mut files = Vec::new();
    for krate in [
        "vpcpeer",
        "vpcpeer-server",
        "vpcpeer-wire-aws",
        "vpcpeer-wire-gcp",
        "vpcpeer-wire-azure",
    ] {
        rust_files(&root.join("crates").join(krate).join("src"), &mut files);
    }
    assert!(files.len() > 20, "found the faces' sources");
    let offenders: Vec<String> = files
        .iter()
        .map(|f| relative(f))
        .filter(|rel| !is_test_file(rel))
        .filter(|rel| {
            let text = std::fs::read_to_string(root.join(rel)).expect("readable");
            code_of(&text).contains("execute_fn(")
        })
        .collect();
    assert!(
        offenders.is_empty(),
        "these faces change the world with a closure instead of a command: {offenders:?}"
    );
}
