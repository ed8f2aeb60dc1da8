//! The words of a gateway configuration change, in the fix of a tunnel blocker
//! (`Remedy::FixGatewayConfig`), and of the fixes of a GCP or Azure gateway on a path across
//! clouds.

/// The words of one change to a gateway configuration.
pub(super) fn config_change_text(c: &vpcpeer_reach::ConfigChange) -> String {
    use vpcpeer_reach::ConfigChange as C;
    match c {
        C::Repair { line, problem } => format!("repair line {line} ({problem})"),
        C::Endpoint { peer } => format!(
            "point the Endpoint of [Peer] {peer} at the public address of the peer gateway"
        ),
        C::AddPeer {
            name,
            public_key,
            allowed,
        } => format!(
            "add a [Peer] named {name} with PublicKey = {public_key} and AllowedIPs including {allowed}"
        ),
        C::PublicKey { peer, public_key } => {
            format!("set the PublicKey of [Peer] {peer} to {public_key}")
        }
        C::EndpointPort { peer, port } => {
            format!("set the Endpoint port of [Peer] {peer} to {port} (the peer's ListenPort)")
        }
        C::AllowedIps { peer, allowed } => {
            format!("add {allowed} to the AllowedIPs of [Peer] {peer}")
        }
    }
}

/// The words of the fix of a GCP or Azure gateway (its forwarding, public address, internet
/// route); `String::new()` for any other remedy.
pub(super) fn gateway_fix_text(r: &vpcpeer_reach::Remedy) -> String {
    use vpcpeer_reach::Remedy as R;
    match r {
        R::EnableGatewayForwarding { instance } => format!(
            "let {instance} forward packets not addressed to it (GCP: insert it with \
             canIpForward true; Azure: enableIPForwarding on its NIC; AWS: source/destination \
             check off)"
        ),
        R::AssignGcpExternalIp { instance } => format!(
            "give {instance} an external address: an access config (ONE_TO_ONE_NAT) on nic0, \
             with a static address (addresses.insert) so that it survives a stop"
        ),
        R::AssignAzurePublicIp { nic } => format!(
            "create a Standard (Static) public IP address and set it on the primary IP \
             configuration of {nic}"
        ),
        R::AddGcpInternetRoute { network } => format!(
            "add a route 0.0.0.0/0 → default-internet-gateway to {network} (or remove the route \
             of higher priority that overrides it for the gateway)"
        ),
        R::AddAzureInternetRoute {
            nic,
            table: Some(t),
        } => format!(
            "make {t} send the other gateway's address to Internet (a route 0.0.0.0/0 → Internet, \
             or remove the route that overrides the system route), for {nic}"
        ),
        R::AddAzureInternetRoute { nic, table: None } => format!(
            "restore the system route 0.0.0.0/0 → Internet for {nic} (remove what overrides it)"
        ),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use vpcpeer_reach::Remedy as R;

    /// Each GCP or Azure gateway fix reads as that cloud's own change, naming what to change.
    #[test]
    fn the_fixes_of_gateways_across_clouds() {
        let gw = "projects/p/zones/z/instances/gw";
        let nic =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n";
        let cases = [
            (
                R::EnableGatewayForwarding {
                    instance: gw.into(),
                },
                gw,
                "canIpForward",
            ),
            (
                R::AssignGcpExternalIp {
                    instance: gw.into(),
                },
                gw,
                "access config",
            ),
            (R::AssignAzurePublicIp { nic: nic.into() }, nic, "public IP"),
            (
                R::AddGcpInternetRoute {
                    network: "projects/p/global/networks/net".into(),
                },
                "net",
                "default-internet-gateway",
            ),
            (
                R::AddAzureInternetRoute {
                    nic: nic.into(),
                    table: Some("rt".into()),
                },
                "rt",
                "Internet",
            ),
            (
                R::AddAzureInternetRoute {
                    nic: nic.into(),
                    table: None,
                },
                nic,
                "system route",
            ),
        ];
        for (r, names, says) in cases {
            let text = super::super::remedy_text(&r);
            assert!(text.contains(names) && text.contains(says), "{r:?}: {text}");
        }
        assert_eq!(super::gateway_fix_text(&R::Unsupported), "");
    }
}
