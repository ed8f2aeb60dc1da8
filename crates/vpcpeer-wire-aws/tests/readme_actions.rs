//! The README's table of EC2 actions lists exactly the actions the face serves ([`ACTIONS`]):
//! an action added without its row, or a row left for an action that is gone, fails here.

use std::collections::BTreeSet;

use vpcpeer_wire_aws::ACTIONS;

/// The heading of the README section that holds the table.
const SECTION: &str = "### EC2 actions served";

/// The backticked names in the table rows of the README's action section.
fn table_actions(readme: &str) -> BTreeSet<String> {
    let start = readme
        .find(SECTION)
        .unwrap_or_else(|| panic!("README has no section {SECTION:?}"));
    let body = &readme[start + SECTION.len()..];
    let end = body.find("\n#").unwrap_or(body.len());
    body[..end]
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|--") && !l.starts_with("| Area"))
        .flat_map(|l| l.split('`').skip(1).step_by(2).map(str::to_owned))
        .collect()
}

#[test]
fn readme_lists_every_action_served_and_no_other() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md");
    let readme = std::fs::read_to_string(path).expect("README.md at the workspace root");
    let listed = table_actions(&readme);
    let served: BTreeSet<String> = ACTIONS.iter().map(|a| (*a).to_owned()).collect();
    let missing: Vec<_> = served.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&served).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "README's action table: missing rows for {missing:?}; rows for actions not served {extra:?}"
    );
}

#[test]
fn table_reader_takes_only_table_rows_of_its_section() {
    let text = "## X\n`NotThis`\n### EC2 actions served\nprose `Prose`\n\n| Area | Actions |\n|---|---|\n| VPCs | `CreateVpc`, `DeleteVpc` |\n\n## Next\n| a | `Later` |\n";
    let got = table_actions(text);
    let want: BTreeSet<String> = ["CreateVpc", "DeleteVpc"].map(str::to_owned).into();
    assert_eq!(got, want);
}
