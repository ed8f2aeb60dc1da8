//! `setup_account_profile`, `list_accounts`, `delete_account_profile`: an account is a topology
//! account of its cloud (AWS account number, GCP project, Azure subscription). Other credential
//! fields the provider sends (`aws_iam`, role ARNs, keys, `arm_application_*`, GCP credential
//! files) are accepted and not kept: the drivers reach the local clouds with the account id
//! alone, as `vpcpeer apply` does for a topology without `credentials`.

use serde_json::{json, Value};

use super::{edit, fail, need, Answer, Handled};
use crate::reply::Reply;
use crate::request::Request;
use crate::state::{Account, AviatrixState, CloudType};

/// Parses `cloud_type`, or the refusal.
pub(crate) fn cloud_type(req: &Request) -> Result<CloudType, Handled> {
    let text = need(req, "cloud_type")?;
    CloudType::parse(text).ok_or_else(|| {
        fail(format!(
            "Invalid cloud_type {text}: supported are 1 (AWS), 4 (GCP) and 8 (Azure)."
        ))
    })
}

pub(super) fn setup(state: &AviatrixState, req: &Request) -> Handled {
    let name = match need(req, "account_name") {
        Ok(n) => n.to_string(),
        Err(h) => return h,
    };
    let cloud = match cloud_type(req) {
        Ok(c) => c,
        Err(h) => return h,
    };
    let id = match cloud {
        CloudType::Aws => req.get("aws_account_number"),
        CloudType::Gcp => req.any(&["gcloud_project_id", "gcloud_project_name"]),
        CloudType::Azure => req.get("arm_subscription_id"),
    };
    let Some(id) = id else {
        let field = match cloud {
            CloudType::Aws => "aws_account_number",
            CloudType::Gcp => "gcloud_project_id",
            CloudType::Azure => "arm_subscription_id",
        };
        return fail(format!("Missing required parameter: {field}"));
    };
    let account = Account {
        cloud_type: cloud,
        id: id.to_string(),
        resource_group: if cloud == CloudType::Azure {
            req.get("arm_resource_group").map(str::to_string)
        } else {
            None
        },
    };
    edit(state, false, |s| {
        if s.accounts.contains_key(&name) {
            return Err(format!("Account {name} already exists."));
        }
        s.accounts.insert(name.clone(), account);
        Ok(Answer::Ready(Reply::text(format!(
            "An email with instructions has been sent to the account owner. Account {name} \
             has been created."
        ))))
    })
}

pub(super) fn list(state: &AviatrixState) -> Reply {
    let list: Vec<Value> = state
        .accounts
        .iter()
        .map(|(name, a)| {
            let mut v = json!({
                "account_name": name,
                "cloud_type": a.cloud_type.number(),
            });
            let field = match a.cloud_type {
                CloudType::Aws => "aws_account_number",
                CloudType::Gcp => "gcloud_project_name",
                CloudType::Azure => "arm_subscription_id",
            };
            v[field] = Value::String(a.id.clone());
            if let Some(g) = &a.resource_group {
                v["arm_resource_group"] = Value::String(g.clone());
            }
            v
        })
        .collect();
    Reply::results(json!({ "account_list": list }))
}

pub(super) fn delete(state: &AviatrixState, req: &Request) -> Handled {
    let name = match need(req, "account_name") {
        Ok(n) => n.to_string(),
        Err(h) => return h,
    };
    edit(state, false, |s| {
        if !s.accounts.contains_key(&name) {
            return Err(format!("Account {name} does not exist."));
        }
        if let Some(user) = s.account_in_use(&name) {
            return Err(format!(
                "Account {name} is in use by {user}: delete that first."
            ));
        }
        s.accounts.remove(&name);
        // Its networks hold nothing of the topology any more (the apply that removed their
        // last record cleaned them).
        s.networks.retain(|_, n| n.account != name);
        Ok(Answer::Ready(Reply::text(format!(
            "Account {name} has been deleted."
        ))))
    })
}
