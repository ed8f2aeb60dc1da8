//! What an apply found, kept in the state's [`Facts`] for the reads that show computed values
//! (`get_gateway_info`'s addresses, `list_peer_vpc_pairs`' states, `create_aws_peering`'s
//! `pcx-…` id, `list_arm_peer_vnet_pairs`' blocks): the composition root observes the clouds
//! after each apply and hands the controller's `Observed` here, with the private addresses of
//! the instances it found (`Drivers::endpoints`, by instance id).

use std::collections::BTreeMap;

use vpcpeer_controller::names::TAG_LINK;
use vpcpeer_controller::observed::AwsStatus;
use vpcpeer_controller::Observed;

use crate::state::{native_link_name, AviatrixState, CloudType, Facts, GatewayFacts};

impl AviatrixState {
    /// Replaces the facts with what `observed` shows (`private_ips`: instance id → address).
    pub fn record(&mut self, observed: &Observed, private_ips: &BTreeMap<String, String>) {
        let mut facts = Facts::default();
        for (vm, g) in &observed.gateways {
            let instance = g.instance.as_ref();
            facts.gateways.insert(
                vm.clone(),
                GatewayFacts {
                    public_ip: g.address.as_ref().map(|a| a.ip.to_string()),
                    private_ip: instance.and_then(|i| private_ips.get(&i.id).cloned()),
                    running: instance.is_some_and(|i| i.running),
                },
            );
        }
        for p in &self.peerings {
            if p.cloud_type != CloudType::Aws {
                continue;
            }
            let link = native_link_name(p);
            let found = observed
                .aws_peerings
                .iter()
                .filter(|x| x.status == AwsStatus::Active)
                .find(|x| {
                    x.tags.get(TAG_LINK) == Some(&link)
                        || (x.requester == p.requester.vpc_id && x.accepter == p.accepter.vpc_id)
                });
            if let Some(x) = found {
                facts.aws_peerings.insert(link, x.id.clone());
            }
        }
        for (name, n) in &observed.networks {
            facts.cidrs.insert(
                name.clone(),
                n.cidrs.iter().map(ToString::to_string).collect(),
            );
        }
        self.facts = facts;
    }
}
