//! Network interfaces (IP configurations in subnets) and the VMs that use them.

use super::*;

/// An IP configuration as a request describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IpConfigSpec {
    /// Name.
    pub name: String,
    /// `subnet.id`.
    pub subnet_id: Option<String>,
    /// `privateIPAddress`.
    pub private_ip: Option<IpAddress>,
    /// `privateIPAllocationMethod` is `Static`.
    pub is_static: bool,
    /// `primary`.
    pub primary: Option<bool>,
    /// `publicIPAddress.id`.
    #[serde(default)]
    pub public_ip: Option<String>,
}

/// A NIC PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PutNic {
    /// `location`.
    pub location: Option<String>,
    /// `ipConfigurations`.
    pub ip_configs: Vec<IpConfigSpec>,
    /// `networkSecurityGroup.id`.
    pub nsg: Option<String>,
    /// `enableIPForwarding`.
    pub ip_forwarding: bool,
    /// Tags.
    pub tags: AzTags,
}

fn used_ips(world: &World, subnet_key: &str, except_nic: &str) -> BTreeSet<Ipv4Addr> {
    world
        .azure
        .nics
        .values()
        .filter(|n| n.id != except_nic)
        .flat_map(|n| n.ip_configs.iter())
        .filter(|c| key(&c.subnet_id) == subnet_key)
        .map(|c| c.private_ip)
        .collect()
}

/// Creates or updates a NIC; a dynamic address is the subnet's first free one (Azure reserves the
/// first four addresses and the last).
pub fn put_nic(tx: &mut Tx<'_, '_>, t: &Target, req: PutNic) -> Result<(AzNic, bool), AzureError> {
    let (location, display_id, id, existing) = put_start::<AzNic>(
        tx,
        t,
        t.network_id("networkInterfaces"),
        req.location.as_deref(),
    )?;
    limits::check_count(
        req.ip_configs.len(),
        limits::MAX_IP_CONFIGS,
        Limit::IpConfigs,
    )?;
    if req.ip_configs.is_empty() {
        return Err(AzureError::NicNeedsConfig { nic: display_id });
    }
    if let Some(n) = &req.nsg {
        same_subscription(&display_id, n)?;
        match tx.world().azure.nsgs.get(&key(n)) {
            None => return Err(invalid_reference(n)),
            Some(g) if g.place.location != normalize_location(&location) => {
                return Err(foreign_reference(&display_id, n))
            }
            Some(_) => {}
        }
    }
    let asked: Vec<(String, String)> = req
        .ip_configs
        .iter()
        .filter_map(|c| Some((c.name.clone(), c.public_ip.clone()?)))
        .collect();
    check_public_ips(tx.world(), &display_id, &id, &location, &asked)?;
    let mut configs: Vec<AzIpConfig> = Vec::new();
    let mut vnet_of_nic: Option<String> = None;
    for (i, c) in req.ip_configs.iter().enumerate() {
        check_name(&c.name)?;
        let Some(subnet_id) = c.subnet_id.clone() else {
            return Err(AzureError::SubnetRequired {
                config: c.name.clone(),
                nic: display_id,
            });
        };
        same_subscription(&display_id, &subnet_id)?;
        let sref = subnet_ref(&subnet_id)?;
        let (vkey, vnet) = vnet_of_subnet(tx.world(), &sref, &subnet_id)?;
        let subnet = vnet
            .subnet(&sref.segments[1].1)
            .ok_or_else(|| invalid_reference(&subnet_id))?;
        if vnet.place.location != normalize_location(&location) {
            return Err(AzureError::SubnetLocation {
                subnet: subnet_id,
                location: vnet.place.location.clone(),
                nic: display_id,
                wanted: normalize_location(&location),
            });
        }
        if vnet_of_nic.as_ref().is_some_and(|v| *v != vkey) {
            return Err(AzureError::ConfigsInDifferentVnets { nic: display_id });
        }
        vnet_of_nic = Some(vkey);
        let skey = key(&subnet_id);
        let mut used = used_ips(tx.world(), &skey, &id);
        used.extend(
            configs
                .iter()
                .filter(|x| key(&x.subnet_id) == skey)
                .map(|x| x.private_ip),
        );
        let net = subnet.prefix;
        let hosts = crate::cidr::host_range(net, 4, 1);
        let kept = existing
            .as_ref()
            .and_then(|e| {
                e.ip_configs
                    .iter()
                    .find(|x| x.name.eq_ignore_ascii_case(&c.name) && key(&x.subnet_id) == skey)
            })
            .map(|x| x.private_ip);
        // A static configuration takes the address asked for; a dynamic one keeps the address it
        // has (clients send it back on update) or gets the first free one.
        let ip = match (&c.private_ip, c.is_static) {
            (Some(s), true) => {
                let ip: Ipv4Addr = *s.value().ok_or_else(|| AzureError::InvalidPrivateIp {
                    ip: s.text().to_owned(),
                })?;
                if !hosts.contains(&ip) {
                    return Err(AzureError::PrivateIpNotInSubnet {
                        config: c.name.clone(),
                        nic: display_id,
                        ip,
                        subnet: subnet_id,
                        prefix: net,
                    });
                }
                if used.contains(&ip) {
                    return Err(AzureError::PrivateIpInUse {
                        config: c.name.clone(),
                        nic: display_id,
                        ip,
                    });
                }
                ip
            }
            _ => match kept {
                Some(ip) => ip,
                None => {
                    let Some(ip) = crate::cidr::first_free(hosts, |a| used.contains(&a)) else {
                        return Err(AzureError::SubnetFull { subnet: subnet_id });
                    };
                    ip
                }
            },
        };
        configs.push(AzIpConfig {
            name: c.name.clone(),
            subnet_id,
            private_ip: ip,
            dynamic: !c.is_static,
            primary: c.primary.unwrap_or(i == 0),
            public_ip: c.public_ip.clone(),
        });
    }
    let (display_id, name) = kept_spelling(&existing, display_id, t);
    let nic = AzNic {
        id,
        display_id,
        name,
        place: t.place(&location),
        ip_configs: configs,
        nsg: req.nsg,
        ip_forwarding: req.ip_forwarding,
        vm: existing.as_ref().and_then(|e| e.vm.clone()),
        guid: kept_guid(tx, &existing),
        tags: req.tags,
    };
    let active = nic_active(tx.world(), &nic);
    let released: Vec<String> = public_ips_of(existing.as_ref())
        .filter(|p| !asked.iter().any(|(_, a)| key(a) == *p))
        .collect();
    let held: Vec<String> = public_ips_of(Some(&nic)).collect();
    let out = saved(tx, nic, &existing);
    for p in released {
        refresh_dynamic(tx, &p, false)?;
    }
    for p in held {
        refresh_dynamic(tx, &p, active)?;
    }
    Ok(out)
}

/// The keys of the public IPs the configurations of `nic` use.
fn public_ips_of(nic: Option<&AzNic>) -> impl Iterator<Item = String> + '_ {
    nic.into_iter()
        .flat_map(|n| n.ip_configs.iter().filter_map(|c| c.public_ip.as_deref()))
        .map(key)
}

/// Deletes a NIC; refused while a VM uses it.
pub fn delete_nic(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    let pips: Vec<String> = public_ips_of(
        tx.world()
            .azure
            .nics
            .get(&key(&t.network_id("networkInterfaces"))),
    )
    .collect();
    let removed = delete_unused::<AzNic>(tx, t, "networkInterfaces", |_, _, nic| {
        let vm = nic.vm.as_ref()?;
        Some(AzureError::NicAttached {
            nic: nic.display_id.clone(),
            vm: vm.clone(),
        })
    })?;
    if removed {
        for p in pips {
            refresh_dynamic(tx, &p, false)?;
        }
    }
    Ok(removed)
}

/// A VM PUT.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PutVm {
    /// `location`.
    pub location: Option<String>,
    /// `networkProfile.networkInterfaces[].id`.
    pub nics: Vec<String>,
    /// `hardwareProfile.vmSize`.
    pub size: Option<String>,
    /// Tags.
    pub tags: AzTags,
    /// `osProfile.customData` (base64 text, checked by the face).
    #[serde(default)]
    pub custom_data: Option<String>,
    /// `storageProfile.imageReference`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<crate::azure::AzImageReference>,
}

/// The ARM id of a VM.
pub fn vm_id(t: &Target) -> String {
    resource_id(
        &t.subscription,
        &t.resource_group,
        COMPUTE,
        "virtualMachines",
        &t.name,
    )
}

/// Creates or updates a VM and attaches its NICs.
pub fn put_vm(tx: &mut Tx<'_, '_>, t: &Target, req: PutVm) -> Result<(AzVm, bool), AzureError> {
    let (location, display_id, id, existing) =
        put_start::<AzVm>(tx, t, vm_id(t), req.location.as_deref())?;
    limits::check_count(req.nics.len(), limits::MAX_VM_NICS, Limit::VmNics)?;
    if req.nics.is_empty() {
        return Err(AzureError::VmNeedsNic);
    }
    for n in &req.nics {
        same_subscription(&display_id, n)?;
        let nic = tx
            .world()
            .azure
            .nics
            .get(&key(n))
            .ok_or_else(|| AzureError::VmNicNotFound { nic: n.clone() })?;
        if nic.vm.as_deref().is_some_and(|v| key(v) != id) {
            return Err(AzureError::NicUsedByOtherVm { nic: n.clone() });
        }
        if nic.place.location != normalize_location(&location) {
            return Err(AzureError::NicInOtherLocation {
                nic: n.clone(),
                location: nic.place.location.clone(),
                wanted: normalize_location(&location),
            });
        }
    }
    // Custom data is given at creation; an update may leave it out (ARM never returns it, so
    // a read-modify-write has none) but not change it.
    if let (Some(e), Some(asked)) = (&existing, &req.custom_data) {
        if e.custom_data.as_ref() != Some(asked) {
            return Err(AzureError::CustomDataChanged {
                vm: e.display_id.clone(),
            });
        }
    }
    // The image is fixed at creation too; an update may leave it out.
    if let (Some(e), Some(asked)) = (&existing, &req.image) {
        if e.image.as_ref().is_some_and(|had| had != asked) {
            return Err(AzureError::ImageReferenceChanged {
                vm: e.display_id.clone(),
            });
        }
    }
    let (display_id, name) = kept_spelling(&existing, display_id, t);
    let vm = AzVm {
        id: id.clone(),
        display_id,
        name,
        place: t.place(&location),
        nics: req.nics.clone(),
        size: req.size.unwrap_or_else(|| "Standard_B1s".into()),
        guid: kept_guid(tx, &existing),
        tags: req.tags,
        power: existing.as_ref().map(|e| e.power).unwrap_or_default(),
        custom_data: existing
            .as_ref()
            .and_then(|e| e.custom_data.clone())
            .or(req.custom_data),
        image: existing
            .as_ref()
            .and_then(|e| e.image.clone())
            .or(req.image),
        last_operation: Some(tx.now()),
    };
    let created = existing.is_none();
    let old: Vec<String> = existing.map(|e| e.nics).unwrap_or_default();
    for n in old
        .iter()
        .filter(|o| !req.nics.iter().any(|n| key(n) == key(o)))
    {
        if let Some(nic) = tx.get_mut::<AzNic>(&key(n)) {
            nic.vm = None;
        }
    }
    for n in &req.nics {
        if let Some(nic) = tx.get_mut::<AzNic>(&key(n)) {
            nic.vm = Some(vm.display_id.clone());
        }
    }
    tx.put(vm.clone());
    for n in old.iter().chain(&req.nics) {
        refresh_nic(tx, &key(n))?;
    }
    Ok((vm, created))
}

/// Deletes a VM (its NICs stay, detached).
pub fn delete_vm(tx: &mut Tx<'_, '_>, t: &Target) -> Result<bool, AzureError> {
    require_group(tx.world(), t)?;
    let id = key(&vm_id(t));
    let Some(vm) = tx.remove::<AzVm>(&id) else {
        return Ok(false);
    };
    for n in vm.nics {
        if let Some(nic) = tx.get_mut::<AzNic>(&key(&n)) {
            nic.vm = None;
        }
        refresh_nic(tx, &key(&n))?;
    }
    Ok(true)
}
