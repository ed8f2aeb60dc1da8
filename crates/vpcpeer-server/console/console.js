// vpcpeer console. Draws GET /_vpcpeer/topology with Cytoscape.js and its fCoSE layout (compound nodes: cloud ->
// account -> region -> network, peerings as edges coloured by state), lists every network and
// peering as text beside the map, shows one in detail (GET /_vpcpeer/inspect), asks POST
// /_vpcpeer/reach and highlights the hops, shows and advances GET|POST /_vpcpeer/clock.
// live.js redraws when the server changes (GET /_vpcpeer/events), controller.js is the
// controller's panel; both use what this file exposes as window.vpcpeerConsole.
// It uses only the admin JSON API the CLI uses. No framework, no network access but this origin.
'use strict';

(function () {
  const CLOUD_LABEL = { aws: 'AWS', gcp: 'Google Cloud', azure: 'Azure' };
  const ACCOUNT_WORD = { aws: 'account', gcp: 'project', azure: 'subscription' };
  const $ = (id) => document.getElementById(id);

  // --- state ---------------------------------------------------------------------------------
  const stats = { refreshes: 0, firstRender: null, lastChange: null, loadedAt: Date.now() };
  let topo = null;          // the last topology answer
  let index = null;         // lookups built from it (see buildIndex)
  let logMark = null;       // [first, last] of the command log when topo was fetched
  let nextExpiry = null;    // earliest expires_ms of a pending AWS request
  let lastReach = null;     // the last reach answer, re-highlighted after each refresh
  let inspected = null;     // the id the inspector shows, asked again after each refresh
  let refreshing = null;    // the refresh under way (a promise), so refreshes do not overlap
  let again = null;         // the one refresh asked for while another was under way

  // --- API -----------------------------------------------------------------------------------
  async function api(method, path, body) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = sessionStorage.getItem('vpcpeer-admin-token');
    if (token) headers.Authorization = 'Bearer ' + token;
    const r = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
    if (r.status === 401) {
      $('token-bar').hidden = false;
      throw new Error('this server needs its admin token');
    }
    const answer = await r.json();
    if (!r.ok) {
      const e = new Error(answer.error || r.status + ' ' + r.statusText);
      e.answer = answer; // the whole answer (the controller's lists its problems)
      throw e;
    }
    return answer;
  }

  // --- map -----------------------------------------------------------------------------------
  function category(state) {
    switch (state) {
      case 'active': case 'ACTIVE': case 'Connected': return 'active';
      case 'pending-acceptance': case 'initiating-request': case 'provisioning':
      case 'Initiated': return 'pending';
      case 'INACTIVE': return 'inactive';
      case 'failed': case 'rejected': case 'Disconnected': return 'failed';
      default: return 'gone'; // expired, deleted, deleting
    }
  }

  const COLOURS = { active: '#16a34a', pending: '#d97706', inactive: '#7c3aed', failed: '#dc2626', gone: '#9ca3af' };

  const style = [
    { selector: 'node', style: {
      'label': 'data(label)', 'font-size': 9, 'text-wrap': 'wrap', 'text-valign': 'bottom',
      'text-margin-y': 2, 'background-color': '#64748b', 'width': 22, 'height': 22,
      'shape': 'round-rectangle', 'min-zoomed-font-size': 4 } },
    { selector: 'node[kind = "network"][cloud = "aws"]', style: { 'background-color': '#f59e0b' } },
    { selector: 'node[kind = "network"][cloud = "gcp"]', style: { 'background-color': '#3b82f6' } },
    { selector: 'node[kind = "network"][cloud = "azure"]', style: { 'background-color': '#0ea5e9' } },
    { selector: 'node[kind = "subnet"]', style: { 'background-color': '#cbd5e1', 'width': 14, 'height': 14 } },
    { selector: 'node[kind = "instance"]', style: { 'background-color': '#334155', 'shape': 'ellipse', 'width': 10, 'height': 10, 'font-size': 7 } },
    { selector: 'node[kind = "ghost"]', style: { 'background-color': '#fff', 'border-width': 1, 'border-style': 'dashed', 'border-color': '#9ca3af', 'color': '#6b7280' } },
    { selector: ':parent', style: {
      'text-valign': 'top', 'text-halign': 'center', 'text-margin-y': -2, 'padding': 8,
      'background-opacity': 0.35, 'border-width': 1, 'border-color': '#cbd5e1', 'font-size': 10 } },
    { selector: 'node[kind = "cloud"]', style: { 'background-color': '#e2e8f0', 'font-size': 14, 'font-weight': 'bold' } },
    { selector: 'node[kind = "account"]', style: { 'background-color': '#f1f5f9', 'font-size': 11 } },
    { selector: 'node[kind = "region"]', style: { 'background-color': '#ffffff', 'border-style': 'dashed' } },
    { selector: 'node[kind = "network"]:parent', style: { 'background-color': '#fef3c7' } },
    { selector: 'edge', style: {
      'width': 2, 'curve-style': 'bezier', 'line-color': COLOURS.gone, 'target-arrow-shape': 'none' } },
    ...Object.entries(COLOURS).map(([cat, colour]) => ({ selector: `edge[cat = "${cat}"]`, style: { 'line-color': colour } })),
    { selector: 'edge[cat = "pending"]', style: { 'line-style': 'dashed' } },
    { selector: 'edge[cat = "inactive"]', style: { 'line-style': 'dashed' } },
    { selector: 'edge[cat = "gone"]', style: { 'line-style': 'dotted' } },
    { selector: '.hop', style: { 'underlay-color': '#2563eb', 'underlay-padding': 6, 'underlay-opacity': 0.45 } },
    { selector: 'edge.hop', style: { 'width': 5 } },
    { selector: '.finding', style: { 'underlay-color': '#ea580c', 'underlay-padding': 8, 'underlay-opacity': 0.55 } },
    { selector: '.blocked', style: { 'underlay-color': '#dc2626', 'underlay-padding': 8, 'underlay-opacity': 0.6 } },
    { selector: ':selected', style: { 'overlay-color': '#0284c7', 'overlay-opacity': 0.25 } },
    { selector: '.filtered', style: { 'display': 'none' } },
  ];

  const cy = cytoscape({
    container: $('map'),
    style,
    minZoom: 0.02,
    maxZoom: 4,
    hideEdgesOnViewport: true,
    textureOnViewport: true,
  });

  // fCoSE (vendored with its two base libraries) when it loaded, else Cytoscape's own cose.
  const FCOSE = typeof cytoscapeFcose === 'function';
  if (FCOSE) cytoscape.use(cytoscapeFcose);
  stats.layout = FCOSE ? 'fcose' : 'cose';

  function layout(full) {
    const n = cy.nodes().length;
    const options = FCOSE ? {
      name: 'fcose',
      // 'draft' is the spectral pass alone: a large estate's first picture in a few seconds;
      // 'default' adds the incremental force-directed polish small maps can afford.
      quality: n > 800 ? 'draft' : 'default',
      randomize: full,
      animate: false,
      fit: true,
      padding: 20,
      nodeDimensionsIncludeLabels: true,
      packComponents: true,
      nodeRepulsion: () => 6000,
      idealEdgeLength: () => 80,
      nestingFactor: 0.2,
      gravity: 0.5,
      numIter: 1500,
    } : {
      name: 'cose',
      animate: false,
      randomize: full,
      fit: true,
      padding: 20,
      nodeDimensionsIncludeLabels: true,
      nodeOverlap: 20,
      // The parameters of Cytoscape's own compound cose demo: strong repulsion, strong
      // gravity towards each compound's centre, so containers stay compact.
      nodeRepulsion: () => 400000,
      idealEdgeLength: () => 100,
      edgeElasticity: () => 100,
      nestingFactor: 5,
      gravity: 80,
      initialTemp: 200,
      componentSpacing: 40,
      numIter: n > 800 ? 150 : n > 300 ? 400 : 1000,
      coolingFactor: n > 300 ? 0.9 : 0.95,
    };
    return new Promise((resolve) => {
      const l = cy.layout(options);
      l.one('layoutstop', () => resolve());
      l.run();
    });
  }

  function shortId(id) {
    const i = id.lastIndexOf('/');
    return i >= 0 ? id.slice(i + 1) : id;
  }

  function networkLabel(n) {
    const head = n.name && n.name !== shortId(n.id) ? n.name + '\n' + shortId(n.id) : shortId(n.id);
    return n.cidrs.length ? head + '\n' + n.cidrs[0] : head;
  }

  // Lookups over a topology: networks by id (with their place), the network owning each subnet
  // and instance, instances for the reach picker.
  function buildIndex(t) {
    const networks = new Map();
    const owner = new Map();
    const instances = [];
    for (const c of t.clouds) {
      for (const a of c.accounts) {
        for (const r of a.regions) {
          for (const n of r.networks) {
            networks.set(n.id, { net: n, cloud: c.cloud, account: a.id, region: r.name });
            for (const s of n.subnets) owner.set(s.id, n.id);
            for (const i of n.instances) {
              if (!owner.has(i.id)) owner.set(i.id, n.id);
              instances.push({ inst: i, network: n.id });
            }
          }
        }
      }
    }
    return { networks, owner, instances };
  }

  function elementsOf(t, showMembers) {
    const els = [];
    const seen = new Set();
    const push = (e) => { if (!seen.has(e.data.id)) { seen.add(e.data.id); els.push(e); } };
    for (const c of t.clouds) {
      if (!c.accounts.length) continue;
      const cid = 'cloud:' + c.cloud;
      push({ group: 'nodes', data: { id: cid, label: CLOUD_LABEL[c.cloud] || c.cloud, kind: 'cloud' } });
      for (const a of c.accounts) {
        const aid = 'account:' + c.cloud + ':' + a.id;
        push({ group: 'nodes', data: { id: aid, parent: cid, label: (ACCOUNT_WORD[c.cloud] || '') + ' ' + a.id, kind: 'account' } });
        for (const r of a.regions) {
          const rid = 'region:' + c.cloud + ':' + a.id + ':' + r.name;
          push({ group: 'nodes', data: { id: rid, parent: aid, label: r.name, kind: 'region' } });
          for (const n of r.networks) {
            push({ group: 'nodes', data: { id: n.id, parent: rid, label: networkLabel(n), kind: 'network', cloud: c.cloud, account: a.id, region: r.name } });
            if (!showMembers) continue;
            const subnets = new Set();
            for (const s of n.subnets) {
              subnets.add(s.id);
              push({ group: 'nodes', data: { id: s.id, parent: n.id, label: (s.name || shortId(s.id)) + (s.cidr ? '\n' + s.cidr : ''), kind: 'subnet' } });
            }
            for (const i of n.instances) {
              push({ group: 'nodes', data: { id: i.id, parent: subnets.has(i.subnet) ? i.subnet : n.id, label: (i.name || shortId(i.id)) + (i.ips.length ? '\n' + i.ips[0] : ''), kind: 'instance' } });
            }
          }
        }
      }
    }
    for (const p of t.peerings) {
      for (const end of [p.from, p.to]) {
        if (!seen.has(end)) push({ group: 'nodes', data: { id: end, label: 'gone: ' + shortId(end), kind: 'ghost' } });
      }
      push({ group: 'edges', data: { id: 'peering:' + p.id, source: p.from, target: p.to, state: p.state, cat: category(p.state), peering: p.id } });
    }
    return els;
  }

  // Brings the map to `els`: removes what is gone, adds what is new, updates the data of the
  // rest (a state change recolours an edge with no layout). Lays out again only when nodes
  // came or went.
  async function applyElements(els) {
    const want = new Map(els.map((e) => [e.data.id, e]));
    let structural = false;
    cy.batch(() => {
      const gone = cy.elements().filter((e) => !want.has(e.id()));
      if (gone.nonempty()) { cy.remove(gone); structural = true; }
      const add = [];
      for (const e of els) {
        let cur = cy.getElementById(e.data.id);
        if (cur.nonempty() && cur.isEdge() && (cur.data('source') !== e.data.source || cur.data('target') !== e.data.target)) {
          cy.remove(cur); // an edge's ends cannot change in place
          cur = cy.collection();
        }
        if (cur.empty()) { add.push(e); continue; }
        const { parent, source, target, ...data } = e.data;
        if (cur.isNode() && (cur.data('parent') || null) !== (parent || null)) {
          cur.move({ parent: parent || null });
          structural = true;
        }
        cur.data(data);
      }
      if (add.length) { cy.add(add); structural = true; }
    });
    if (structural) await layout(true);
  }

  // --- the text list and the filters ---------------------------------------------------------
  function text(tag, content, cls) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    e.textContent = content;
    return e;
  }

  function networkText(entry) {
    const n = entry.net;
    const tags = Object.entries(n.tags).map(([k, v]) => k + '=' + v).join(' ');
    return [n.id, n.name ? '(' + n.name + ')' : '', n.cidrs.join(', '), '·', entry.cloud,
      entry.account, entry.region, tags].filter(Boolean).join(' ');
  }

  function renderList() {
    const nets = document.createDocumentFragment();
    for (const [id, entry] of index.networks) {
      const li = text('li', networkText(entry));
      li.dataset.id = id;
      li.dataset.kind = 'network';
      li.dataset.cloud = entry.cloud;
      li.dataset.account = entry.account;
      li.dataset.region = entry.region;
      nets.appendChild(li);
    }
    $('network-list').replaceChildren(nets);
    const peers = document.createDocumentFragment();
    for (const p of topo.peerings) {
      const li = document.createElement('li');
      li.dataset.id = p.id;
      li.dataset.kind = 'peering';
      li.dataset.state = p.state;
      li.append(
        p.id + (p.name && p.name !== shortId(p.id) ? ' (' + p.name + ')' : '') + ': ' + shortId(p.from) + ' → ' + shortId(p.to) + ' ',
        text('span', p.state, 'state ' + category(p.state)),
        p.expires ? ' expires ' + p.expires : '',
      );
      peers.appendChild(li);
    }
    $('peering-list').replaceChildren(peers);
    fillSelects();
    fillEndpoints();
    applyFilters();
  }

  function fillSelect(sel, values, label) {
    const keep = sel.value;
    const opts = [new Option(label, '')];
    for (const [value, text] of values) opts.push(new Option(text, value));
    sel.replaceChildren(...opts);
    sel.value = values.some(([v]) => v === keep) ? keep : '';
  }

  function fillSelects() {
    const clouds = new Map(), accounts = new Map(), regions = new Map(), states = new Map();
    for (const e of index.networks.values()) {
      clouds.set(e.cloud, CLOUD_LABEL[e.cloud] || e.cloud);
      accounts.set(e.cloud + ':' + e.account, e.account + ' (' + e.cloud + ')');
      regions.set(e.region, e.region);
    }
    for (const p of topo.peerings) states.set(p.state, p.state);
    const sorted = (m) => [...m.entries()].sort((a, b) => a[1].localeCompare(b[1]));
    fillSelect($('filter-cloud'), sorted(clouds), 'all clouds');
    fillSelect($('filter-account'), sorted(accounts), 'all accounts');
    fillSelect($('filter-region'), sorted(regions), 'all regions');
    fillSelect($('filter-state'), sorted(states), 'all states');
  }

  function fillEndpoints() {
    const opts = document.createDocumentFragment();
    for (const { inst, network } of index.instances) {
      const o = document.createElement('option');
      o.value = inst.id;
      o.label = (inst.name || '') + ' ' + inst.ips.join(', ') + ' in ' + shortId(network);
      opts.appendChild(o);
      for (const ip of inst.ips) {
        const a = document.createElement('option');
        a.value = ip + '@' + network;
        opts.appendChild(a);
      }
    }
    $('endpoints').replaceChildren(opts);
  }

  function applyFilters() {
    if (!topo) return;
    const q = $('search').value.trim().toLowerCase();
    const cloud = $('filter-cloud').value;
    const account = $('filter-account').value;
    const region = $('filter-region').value;
    const state = $('filter-state').value;
    const place = (e) => (!cloud || e.cloud === cloud) && (!account || e.cloud + ':' + e.account === account) && (!region || e.region === region);
    const netVisible = new Map();
    for (const li of $('network-list').children) {
      const e = index.networks.get(li.dataset.id);
      const inPlace = place(e);
      const ok = inPlace && (!q || li.textContent.toLowerCase().includes(q));
      li.hidden = !ok;
      netVisible.set(li.dataset.id, { inPlace, ok });
    }
    const peerVisible = new Map();
    for (const li of $('peering-list').children) {
      const p = peeringById.get(li.dataset.id);
      const ends = [netVisible.get(p.from), netVisible.get(p.to)];
      const endsInPlace = ends.some((v) => v && v.inPlace);
      const matches = !q || li.textContent.toLowerCase().includes(q) || ends.some((v) => v && v.ok);
      const ok = (!state || p.state === state) && endsInPlace && matches;
      li.hidden = !ok;
      peerVisible.set(p.id, ok);
    }
    const filtering = q || cloud || account || region || state;
    if (!filtering) {
      cy.$('.filtered').removeClass('filtered');
    } else cy.batch(() => {
      cy.nodes('[kind = "network"]').forEach((n) => {
        const v = netVisible.get(n.id());
        // A network stays drawn when a shown peering touches it.
        const keep = !filtering || (v && v.ok) || n.connectedEdges().some((e) => peerVisible.get(e.data('peering')));
        n.toggleClass('filtered', !keep);
      });
      cy.edges().forEach((e) => e.toggleClass('filtered', !peerVisible.get(e.data('peering'))));
      cy.nodes('[kind = "ghost"]').forEach((n) => n.toggleClass('filtered', n.connectedEdges('.filtered').length === n.connectedEdges().length));
      // Containers with nothing left to show are hidden too.
      for (const kind of ['region', 'account', 'cloud']) {
        cy.nodes(`[kind = "${kind}"]`).forEach((n) => {
          n.toggleClass('filtered', filtering && n.children().filter((c) => !c.hasClass('filtered')).length === 0);
        });
      }
    });
    $('network-count').textContent = '(' + [...netVisible.values()].filter((v) => v.ok).length + ' of ' + netVisible.size + ')';
    $('peering-count').textContent = '(' + [...peerVisible.values()].filter(Boolean).length + ' of ' + peerVisible.size + ')';
  }

  let peeringById = new Map();

  // --- refresh and live updates --------------------------------------------------------------
  // One refresh at a time. Asked while one is under way (which may have read the server before
  // the change that prompts this one), it runs once more after it: a burst of asks costs at
  // most one refresh beyond the one under way.
  async function refresh() {
    if (refreshing) {
      if (!again) again = refreshing.catch(() => {}).then(() => { again = null; return refresh(); });
      return again;
    }
    refreshing = (async () => {
      const t0 = performance.now();
      const log = await api('GET', '/_vpcpeer/log?limit=1&since=' + Number.MAX_SAFE_INTEGER);
      const t = await api('GET', '/_vpcpeer/topology');
      const t1 = performance.now();
      topo = t;
      index = buildIndex(t);
      peeringById = new Map(t.peerings.map((p) => [p.id, p]));
      logMark = [log.first, log.last];
      const pending = t.peerings.map((p) => p.expires_ms).filter((x) => x !== null);
      nextExpiry = pending.length ? Math.min(...pending) : null;
      const els = elementsOf(t, $('show-members').checked);
      const t2 = performance.now();
      await applyElements(els);
      const t3 = performance.now();
      renderList();
      const tList = performance.now();
      if (lastReach) highlight(lastReach);
      if (inspected) inspect(inspected);
      showClock(t.now, t.now_ms);
      await new Promise((r) => requestAnimationFrame(() => r()));
      const t4 = performance.now();
      stats.refreshes += 1;
      document.body.dataset.refreshes = String(stats.refreshes);
      if (!stats.firstRender) {
        stats.firstRender = {
          fetch_ms: Math.round(t1 - t0), build_ms: Math.round(t2 - t1), layout_ms: Math.round(t3 - t2),
          list_ms: Math.round(tList - t3), paint_ms: Math.round(t4 - tList), total_ms: Math.round(t4 - t0),
          nodes: cy.nodes().length, edges: cy.edges().length,
        };
      }
      stats.lastRefresh = { at: Date.now(), total_ms: Math.round(t4 - t0) };
    })();
    try { await refreshing; } finally { refreshing = null; }
  }

  function showClock(now, nowMs) {
    const c = $('clock');
    c.textContent = now;
    c.dateTime = now;
    c.dataset.ms = String(nowMs);
  }

  // --- reachability --------------------------------------------------------------------------
  function mapped(id) {
    if (!id) return cy.collection();
    let e = cy.getElementById(id);
    if (e.nonempty()) return e;
    e = cy.getElementById('peering:' + id);
    if (e.nonempty()) return e;
    const owner = index && index.owner.get(id);
    return owner ? cy.getElementById(owner) : cy.collection();
  }

  // A component on the map: itself, or the network holding it; another owner's component
  // (id hidden by the reach answer's redaction) by the VPC it names, when it names one.
  function mappedComponent(c) {
    const e = mapped(c.id);
    return e.nonempty() ? e : mapped(c.vpc);
  }

  function highlight(answer) {
    cy.elements().removeClass('hop blocked');
    for (const hop of [...answer.forward, ...answer.return]) mappedComponent(hop.component).addClass('hop');
    for (const b of answer.blockers) mappedComponent(b.component).addClass('blocked');
  }

  // The AWS account and region a reach query is asked as: the owner of its source (the answer
  // shows what that owner may see, as `vpcpeer reach --account` does). GCP and Azure sources
  // name their project or subscription themselves.
  function askerOf(from) {
    let network = index.owner.get(from);
    const at = from.indexOf('@');
    if (!network && at > 0) network = from.slice(at + 1);
    if (!network) {
      const held = index.instances.find(({ inst }) => inst.ips.includes(from));
      network = held && held.network;
    }
    const entry = network && index.networks.get(network);
    return entry && entry.cloud === 'aws' ? { account: entry.account, region: entry.region } : {};
  }

  function componentText(c) {
    return c.kind + ' ' + (c.id || c.label || '(hidden)');
  }

  function ruleText(rule) {
    if (!rule) return '';
    switch (rule.type) {
      case 'route': return ' — route ' + rule.destination + ' → ' + rule.target;
      case 'security-group-rule': return ' — ' + rule.direction + ' rule ' + (rule.rule_id || '');
      case 'network-acl-entry': return ' — ' + rule.direction + ' ' + rule.action + ' #' + (rule.rule_number ?? '*');
      case 'firewall-rule': return ' — ' + rule.direction + ' ' + rule.action + ' ' + (rule.rule || '') + ' (priority ' + rule.priority + ')';
      default: return '';
    }
  }

  function showReach(answer) {
    const out = $('reach-result');
    const verdict = text('p', answer.reachable ? 'Reachable' : 'Not reachable', 'verdict ' + (answer.reachable ? 'yes' : 'no'));
    verdict.id = 'reach-verdict';
    const hops = document.createElement('ol');
    hops.id = 'reach-hops';
    for (const [leg, list] of [['forward', answer.forward], ['return', answer.return]]) {
      list.forEach((hop) => {
        const li = text('li', leg + ': ' + componentText(hop.component) + ruleText(hop.rule), leg);
        li.dataset.id = hop.component.id || '';
        hops.appendChild(li);
      });
    }
    const blockers = document.createElement('ul');
    blockers.id = 'reach-blockers';
    for (const b of answer.blockers) {
      const li = text('li', b.code + ' at ' + componentText(b.component) + ' (' + b.leg + '): ' + b.detail);
      li.dataset.code = b.code;
      li.appendChild(text('span', 'Fix: ' + b.fix, 'fix'));
      blockers.appendChild(li);
    }
    out.replaceChildren(verdict, text('h3', 'Blockers'), blockers, text('h3', 'Hops'), hops);
  }

  async function ask(ev) {
    ev.preventDefault();
    const body = {
      from: $('reach-from').value.trim(),
      to: $('reach-to').value.trim(),
      protocol: $('reach-protocol').value,
    };
    Object.assign(body, askerOf(body.from));
    const port = $('reach-port').value;
    if (port !== '' && (body.protocol === 'tcp' || body.protocol === 'udp')) body.port = Number(port);
    try {
      const answer = await api('POST', '/_vpcpeer/reach', body);
      lastReach = answer;
      showReach(answer);
      highlight(answer);
    } catch (e) {
      lastReach = null;
      cy.elements().removeClass('hop blocked');
      $('reach-result').replaceChildren(text('p', e.message, 'error'));
    }
  }

  // --- inspector -----------------------------------------------------------------------------
  // GET /_vpcpeer/inspect?id=: a network's facts and its route tables and filters (a route
  // whose target is gone flagged `blackhole`), or a peering's lifecycle.
  function showInspection(a) {
    const box = $('inspect-result');
    const head = text('p', `${a.kind === 'network' ? 'Network' : 'Peering'} ${a.id}${a.name ? ' (' + a.name + ')' : ''} — ${CLOUD_LABEL[a.cloud] || a.cloud}`, 'inspect-head');
    const dl = document.createElement('dl');
    for (const f of a.facts) {
      dl.append(text('dt', f.key), text('dd', f.value));
    }
    const parts = [head, dl];
    for (const t of a.tables) {
      const table = document.createElement('table');
      table.className = 'inspect-table';
      table.dataset.kind = t.kind;
      if (t.id) table.dataset.id = t.id;
      table.append(text('caption', t.title));
      const tr = document.createElement('tr');
      for (const c of t.columns) tr.append(text('th', c));
      table.append(tr);
      for (const r of t.rows) {
        const row = document.createElement('tr');
        if (r.flag) { row.className = 'flagged'; row.dataset.flag = r.flag; row.title = r.flag; }
        for (const c of r.cells) row.append(text('td', c));
        table.append(row);
      }
      parts.push(table);
    }
    box.replaceChildren(...parts);
    box.dataset.id = a.id;
  }

  async function inspect(id) {
    inspected = id;
    try {
      const a = await api('GET', '/_vpcpeer/inspect?id=' + encodeURIComponent(id));
      if (inspected === id) showInspection(a);
    } catch (e) {
      if (inspected === id) $('inspect-result').replaceChildren(text('p', e.message, 'error'));
    }
  }

  // --- audit and matrix ----------------------------------------------------------------------
  // POST /_vpcpeer/audit: every finding with its fix; a click shows its resources on the map.
  // POST /_vpcpeer/matrix: which AWS instances reach which; a click asks reach for that pair.
  async function runAudit() {
    const box = $('audit-result');
    try {
      const a = await api('POST', '/_vpcpeer/audit', {});
      const s = a.summary;
      const ul = document.createElement('ul');
      ul.id = 'audit-findings';
      for (const f of a.findings) {
        const li = document.createElement('li');
        li.className = 'finding-item ' + f.severity;
        li.dataset.check = f.check;
        li.dataset.resources = JSON.stringify(f.resources);
        li.append(text('span', f.severity + ' ', 'sev'), text('code', f.check),
          text('span', ' ' + f.message, 'msg'), text('span', 'fix: ' + f.fix, 'fix'));
        ul.append(li);
      }
      box.replaceChildren(
        text('p', `${s.error} error(s), ${s.warning} warning(s), ${s.info} info`, 'summary'), ul);
    } catch (e) {
      box.replaceChildren(text('p', e.message, 'error'));
    }
  }

  function showFinding(li) {
    cy.elements().removeClass('finding');
    for (const li2 of document.querySelectorAll('#audit-findings li.selected')) li2.classList.remove('selected');
    li.classList.add('selected');
    let shown = cy.collection();
    for (const id of JSON.parse(li.dataset.resources)) shown = shown.union(mapped(id));
    shown.addClass('finding');
    if (shown.nonempty()) cy.animate({ fit: { eles: shown, padding: 60 } }, { duration: 200 });
  }

  // The matrix's instances by id: a cell asks reach with the destination's private address
  // when it belongs to another account (reach takes AWS ids of the asking account only).
  let matrixInstances = new Map();

  async function runMatrix(ev) {
    ev.preventDefault();
    const box = $('matrix-result');
    const body = { protocol: $('matrix-protocol').value };
    const port = $('matrix-port').value;
    if (port !== '' && (body.protocol === 'tcp' || body.protocol === 'udp')) body.port = Number(port);
    try {
      const m = await api('POST', '/_vpcpeer/matrix', body);
      const ids = m.instances.map((i) => i.id);
      matrixInstances = new Map(m.instances.map((i) => [i.id, i]));
      const cell = new Map(m.cells.map((c) => [c.from + ' ' + c.to, c]));
      const table = document.createElement('table');
      table.className = 'matrix-table';
      const head = document.createElement('tr');
      head.append(text('th', 'from \\ to'));
      ids.forEach((_, j) => head.append(text('th', String(j + 1))));
      table.append(head);
      ids.forEach((from, i) => {
        const tr = document.createElement('tr');
        tr.append(text('th', `${i + 1} ${from}`));
        for (const to of ids) {
          const c = cell.get(from + ' ' + to);
          const td = text('td', !c ? '—' : c.reachable ? '✓' : '✗');
          if (c) {
            td.className = c.reachable ? 'yes' : 'no';
            td.dataset.from = from;
            td.dataset.to = to;
            td.title = c.reachable ? 'reachable' : (c.code || c.error || 'not reachable');
          }
          tr.append(td);
        }
        table.append(tr);
      });
      const reachable = m.cells.filter((c) => c.reachable).length;
      box.replaceChildren(
        text('p', `${ids.length} instance(s), ${reachable} of ${m.cells.length} pairs reachable on ${m.protocol}${m.port != null ? '/' + m.port : ''}`, 'summary'),
        table);
    } catch (e) {
      box.replaceChildren(text('p', e.message, 'error'));
    }
  }

  // --- wiring --------------------------------------------------------------------------------
  function focus(id) {
    const e = mapped(id);
    if (e.empty()) return;
    cy.elements().unselect();
    e.select();
    cy.animate({ center: { eles: e }, zoom: Math.max(cy.zoom(), 1) }, { duration: 200 });
  }

  for (const listId of ['network-list', 'peering-list']) {
    $(listId).addEventListener('click', (ev) => {
      const li = ev.target.closest('li');
      if (li) { focus(li.dataset.id); inspect(li.dataset.id); }
    });
  }
  cy.on('tap', 'node, edge', (ev) => {
    const ele = ev.target;
    const kind = ele.data('kind');
    if (kind === 'instance') {
      const target = $('reach-from').value ? $('reach-to') : $('reach-from');
      target.value = ele.id();
    }
    const id = ele.isEdge() ? ele.data('peering') : ele.id();
    if (ele.isEdge() || kind === 'network') inspect(id);
    for (const li of document.querySelectorAll('#side li.selected')) li.classList.remove('selected');
    const li = [...document.querySelectorAll('#network-list li, #peering-list li')].find((l) => l.dataset.id === id);
    if (li) { li.classList.add('selected'); li.scrollIntoView({ block: 'nearest' }); }
  });
  for (const id of ['search', 'filter-cloud', 'filter-account', 'filter-region', 'filter-state']) {
    // Typing fires `input`; a choice in a <select> fires `change` (and `input` only in some
    // browsers and drivers): both filter.
    $(id).addEventListener('input', applyFilters);
    $(id).addEventListener('change', applyFilters);
  }
  $('show-members').addEventListener('change', async () => {
    await applyElements(elementsOf(topo, $('show-members').checked));
    if (lastReach) highlight(lastReach);
    applyFilters();
  });
  $('relayout').addEventListener('click', () => layout(true));
  $('reach-form').addEventListener('submit', ask);
  $('reach-clear').addEventListener('click', () => {
    lastReach = null;
    cy.elements().removeClass('hop blocked');
    $('reach-result').replaceChildren();
  });
  $('advance').addEventListener('click', async () => {
    try {
      const clock = await api('POST', '/_vpcpeer/clock', { advance_seconds: Number($('advance-seconds').value) });
      showClock(clock.now, clock.now_ms);
      await refresh();
    } catch (e) {
      $('live').textContent = e.message;
      $('live').className = 'err';
    }
  });
  $('audit-go').addEventListener('click', runAudit);
  $('audit-result').addEventListener('click', (ev) => {
    const li = ev.target.closest('li');
    if (li) showFinding(li);
  });
  $('matrix-form').addEventListener('submit', runMatrix);
  $('matrix-result').addEventListener('click', (ev) => {
    const td = ev.target.closest('td[data-from]');
    if (!td) return;
    const from = matrixInstances.get(td.dataset.from);
    const to = matrixInstances.get(td.dataset.to);
    $('reach-from').value = td.dataset.from;
    $('reach-to').value = from && to && from.account !== to.account && to.private_ip
      ? to.private_ip : td.dataset.to;
    $('reach-protocol').value = $('matrix-protocol').value;
    $('reach-port').value = $('matrix-port').value;
    $('reach-form').requestSubmit();
  });
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    sessionStorage.setItem('vpcpeer-admin-token', $('token').value);
    $('token-bar').hidden = true;
    refresh().catch(() => {});
  });

  // The first drawing; live.js follows the server once it is done.
  const ready = refresh().catch((e) => {
    $('live').textContent = 'not connected: ' + e.message;
    $('live').className = 'err';
  });
  window.vpcpeerConsole = {
    cy, stats, refresh, ready, api, showClock, text, focus,
    logMark: () => logMark,
    nextExpiry: () => nextExpiry,
  };
})();
