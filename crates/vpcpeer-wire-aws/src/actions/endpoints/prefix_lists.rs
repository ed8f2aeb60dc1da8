//! Managed prefix lists: Create/Modify/Delete/DescribeManagedPrefixLists,
//! GetManagedPrefixListEntries, and DescribePrefixLists (the AWS-managed lists, legacy shape).
//!
//! DescribeManagedPrefixLists lists the AWS-managed lists of the region (owner `AWS`) and the
//! caller's own, by id; GetManagedPrefixListEntries pages entries in the order of their block's
//! text (its `NextToken` is the last block of the page).

use vpcpeer_model::aws::endpoints::prefix_list::AWS_OWNER;
use vpcpeer_model::aws::endpoints::{
    AddressFamily, EndpointCommand, EndpointOutcome, ManagedPrefixList, NewPrefixList,
    PrefixListChange, PrefixListState,
};
use vpcpeer_model::aws::{Command, Outcome};
use vpcpeer_model::{DomainError, EndpointProblem, Tx};

use crate::actions::{domain, unexpected, Action};
use crate::filter::{self, matches, Filter};
use crate::{Ec2Error, Params, Xml};

/// The prefix list actions.
pub(super) fn action(name: &str) -> Option<Action> {
    Some(match name {
        "CreateManagedPrefixList" => Action::Change {
            parse: parse_create,
            render: render_list,
        },
        "ModifyManagedPrefixList" => Action::Change {
            parse: parse_modify,
            render: render_list,
        },
        "DeleteManagedPrefixList" => Action::Change {
            parse: |p| {
                Ok(Command::Endpoint(EndpointCommand::DeletePrefixList {
                    id: p.id("PrefixListId")?,
                }))
            },
            render: render_list,
        },
        "DescribeManagedPrefixLists" => Action::Read(describe_managed),
        "GetManagedPrefixListEntries" => Action::Read(get_entries),
        "DescribePrefixLists" => Action::Read(describe_legacy),
        _ => return None,
    })
}

/// `Entry.N` / `AddEntry.N`: (block, description).
fn entries(p: &Params, prefix: &str) -> Result<Vec<(String, Option<String>)>, Ec2Error> {
    p.structs(prefix)
        .into_iter()
        .map(|e| {
            let cidr = e
                .get("Cidr")
                .ok_or_else(|| Ec2Error::missing(&format!("{prefix}.N.Cidr")))?;
            Ok((cidr.to_owned(), e.string("Description")))
        })
        .collect()
}

fn parse_create(p: &Params) -> Result<Command, Ec2Error> {
    let name = p.required("PrefixListName")?.to_owned();
    let max_entries = p
        .int("MaxEntries")?
        .ok_or_else(|| Ec2Error::missing("MaxEntries"))?;
    let family = p.required("AddressFamily")?.to_owned();
    Ok(Command::Endpoint(EndpointCommand::CreatePrefixList(
        NewPrefixList {
            name,
            family,
            max_entries,
            entries: entries(p, "Entry")?,
            tags: p.spec_tags_of("prefix-list")?,
        },
    )))
}

fn parse_modify(p: &Params) -> Result<Command, Ec2Error> {
    let id = p.id("PrefixListId")?;
    let remove = p
        .structs("RemoveEntry")
        .into_iter()
        .map(|e| {
            e.get("Cidr")
                .map(str::to_owned)
                .ok_or_else(|| Ec2Error::missing("RemoveEntry.N.Cidr"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Command::Endpoint(EndpointCommand::ModifyPrefixList(
        PrefixListChange {
            id,
            current_version: p.int("CurrentVersion")?,
            name: p.string("PrefixListName").filter(|s| !s.is_empty()),
            max_entries: p.int("MaxEntries")?,
            add: entries(p, "AddEntry")?,
            remove,
        },
    )))
}

fn family_name(f: AddressFamily) -> &'static str {
    match f {
        AddressFamily::V4 => "IPv4",
        AddressFamily::V6 => "IPv6",
    }
}

/// The `prefixList` shape (inner elements); `deleted` shows `delete-complete`.
fn write_list(x: &mut Xml, l: &ManagedPrefixList, deleted: bool) {
    let state = match (deleted, l.state) {
        (true, _) => "delete-complete",
        (false, PrefixListState::CreateComplete) => "create-complete",
        (false, PrefixListState::ModifyComplete) => "modify-complete",
    };
    let arn_owner = if l.is_aws_managed() {
        "aws"
    } else {
        l.scope.account.as_str()
    };
    x.leaf("prefixListId", &l.id)
        .leaf("addressFamily", family_name(l.family))
        .leaf("state", state)
        .leaf(
            "prefixListArn",
            format!(
                "arn:aws:ec2:{}:{arn_owner}:prefix-list/{}",
                l.scope.region, l.id
            ),
        )
        .leaf("prefixListName", &l.name)
        .leaf("maxEntries", l.max_entries)
        .leaf("version", l.version)
        .tags(&l.tags)
        .leaf("ownerId", &l.scope.account);
}

fn render_list(_tx: &Tx<'_, '_>, outcome: Outcome, x: &mut Xml) {
    match outcome {
        Outcome::Endpoint(EndpointOutcome::PrefixList { list, deleted }) => {
            x.node("prefixList", |x| write_list(x, &list, deleted));
        }
        other => unexpected(&other, x),
    }
}

const FILTERS: &[&str] = &["prefix-list-id", "prefix-list-name", "owner-id"];

fn field(l: &ManagedPrefixList, name: &str) -> Vec<String> {
    match name {
        "prefix-list-id" => vec![l.id.clone()],
        "prefix-list-name" => vec![l.name.clone()],
        "owner-id" => vec![l.scope.account.clone()],
        _ => Vec::new(),
    }
}

/// The lists the caller sees that the request names (`PrefixListId.N`, each must exist) or all
/// of them, kept by `filters`, in id order.
fn selected(
    tx: &Tx<'_, '_>,
    p: &Params,
    filters: &[Filter],
    only_aws: bool,
) -> Result<Vec<ManagedPrefixList>, Ec2Error> {
    let ids = p.list("PrefixListId");
    let mut lists: Vec<ManagedPrefixList> = if ids.is_empty() {
        tx.visible_prefix_lists()
    } else {
        let mut seen = std::collections::BTreeSet::new();
        ids.iter()
            .filter(|id| seen.insert(id.as_str()))
            .map(|id| domain(tx.prefix_list(id)))
            .collect::<Result<_, _>>()?
    };
    lists.retain(|l| !only_aws || l.scope.account == AWS_OWNER);
    lists.retain(|l| matches(filters, &l.tags, |n| field(l, n)));
    lists.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(lists)
}

fn describe_managed(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, FILTERS)?;
    let (limit, token) = filter::paging(p, 1, 100)?;
    let lists = selected(tx, p, &filters, false)?;
    let (page, next) = filter::paginate(lists, |l| &l.id, limit, token.as_deref());
    x.list("prefixListSet", page, |x, l| write_list(x, &l, false));
    x.opt_leaf("nextToken", next);
    Ok(())
}

fn describe_legacy(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let filters = filter::parse(p, &["prefix-list-id", "prefix-list-name"])?;
    let (limit, token) = filter::paging(p, 5, 1000)?;
    let lists = selected(tx, p, &filters, true)?;
    let (page, next) = filter::paginate(lists, |l| &l.id, limit, token.as_deref());
    x.list("prefixListSet", page, |x, l| {
        x.scalar_list("cidrSet", l.entries().iter().map(|e| e.cidr))
            .leaf("prefixListId", &l.id)
            .leaf("prefixListName", &l.name);
    });
    x.opt_leaf("nextToken", next);
    Ok(())
}

fn get_entries(tx: &Tx<'_, '_>, p: &Params, x: &mut Xml) -> Result<(), Ec2Error> {
    let id = p.id("PrefixListId")?;
    let (limit, token) = filter::paging(p, 1, 100)?;
    let target = p.int("TargetVersion")?;
    let list = domain(tx.prefix_list(&id))?;
    let entries = match target {
        None => list.entries(),
        Some(v) => u64::try_from(v)
            .ok()
            .and_then(|v| list.entries_at(v))
            .ok_or_else(|| {
                Ec2Error::from(DomainError::Endpoint(EndpointProblem::VersionNotFound {
                    prefix_list_id: id.clone(),
                    version: v,
                }))
            })?,
    };
    let mut items: Vec<(String, Option<&str>)> = entries
        .iter()
        .map(|e| (e.cidr.to_string(), e.description.as_deref()))
        .collect();
    items.sort();
    let (page, next) = filter::paginate(items, |(c, _)| c, limit, token.as_deref());
    x.list("entrySet", page, |x, (cidr, description)| {
        x.leaf("cidr", cidr).opt_leaf("description", description);
    });
    x.opt_leaf("nextToken", next);
    Ok(())
}
