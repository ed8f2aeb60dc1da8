// vpcpeer console: the controller's panel. A topology file (pasted, or read from a file the
// user picks, in the browser: nothing is uploaded but the text) is planned with POST
// /_vpcpeer/controller/plan (the steps coloured by sign: + add, ~ change, - destroy), applied
// with POST /_vpcpeer/controller/apply (a job: its progress is asked for with GET
// /_vpcpeer/controller/apply?job=N until it is done), and followed with GET
// /_vpcpeer/controller/status?topology=NAME (each link up or down, the active gateways of an
// encrypted one, the timeline of health events and failovers). The composition root mounts
// these (crates/vpcpeer/src/controller_api.rs); the map follows the apply's changes by itself
// (live.js).
'use strict';

(function () {
  const JOB_POLL_MS = 300;
  const c = window.vpcpeerConsole;
  const $ = (id) => document.getElementById(id);
  const text = c.text;
  const SIGN_CLASS = { '+': 'add', '~': 'change', '-': 'destroy' };
  let topologyName = null; // the name of the topology last applied, for the status

  function topology() {
    return $('ctl-topology').value;
  }

  function nameOf(yaml) {
    const m = /^name:\s*["']?([^"'\s#]+)/m.exec(yaml);
    return m ? m[1] : null;
  }

  // An error answer: its message, and each problem the server listed.
  function showError(box, e) {
    const parts = [text('p', e.message, 'error')];
    const problems = e.answer && e.answer.problems;
    if (problems && problems.length) {
      const ul = document.createElement('ul');
      ul.className = 'ctl-problems';
      for (const p of problems) ul.append(text('li', p));
      parts.push(ul);
    }
    box.replaceChildren(...parts);
    box.dataset.state = 'error';
  }

  function stepItem(sign, content, reason) {
    const li = text('li', sign + ' ' + content, 'sign-' + (SIGN_CLASS[sign] || 'other'));
    li.dataset.sign = sign;
    if (reason) li.append(text('span', ' — ' + reason, 'reason'));
    return li;
  }

  // --- plan ----------------------------------------------------------------------------------
  async function plan() {
    const box = $('ctl-plan-result');
    box.replaceChildren(text('p', 'Planning…', 'hint'));
    box.dataset.state = 'running';
    try {
      const p = await c.api('POST', '/_vpcpeer/controller/plan', { topology: topology() });
      const s = p.summary;
      const ul = document.createElement('ul');
      ul.id = 'ctl-steps';
      for (const step of p.steps) ul.append(stepItem(step.sign, step.text, step.reason));
      for (const conflict of p.conflicts) {
        const li = text('li', '! ' + conflict.text, 'conflict');
        li.dataset.sign = '!';
        ul.append(li);
      }
      const head = p.in_sync
        ? 'No changes: the clouds match the topology.'
        : `Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`;
      box.replaceChildren(text('p', head, 'summary'), ul);
      box.dataset.state = p.conflicts.length ? 'conflicts' : p.in_sync ? 'in-sync' : 'changes';
    } catch (e) {
      showError(box, e);
    }
  }

  // --- apply ---------------------------------------------------------------------------------
  function showJob(job) {
    const box = $('ctl-apply-result');
    const steps = job.progress.filter((p) => p.kind === 'step');
    const last = steps[steps.length - 1];
    const bar = document.createElement('progress');
    bar.id = 'ctl-progress';
    if (job.state !== 'running') {
      bar.max = 1;
      bar.value = 1;
    } else if (last) {
      bar.max = last.total;
      bar.value = last.index;
    }
    const ol = document.createElement('ol');
    ol.id = 'ctl-progress-lines';
    for (const p of job.progress) {
      const li = text('li', p.text, 'progress-' + p.kind);
      if (p.sign) li.classList.add('sign-' + (SIGN_CLASS[p.sign] || 'other'));
      ol.append(li);
    }
    let head;
    if (job.state === 'running') head = text('p', `Applying ${job.topology} (job ${job.job})…`, 'hint');
    else if (job.state === 'done') {
      const r = job.result;
      head = text('p', `Apply complete: ${r.steps} step(s) in ${r.rounds} round(s), ${r.retries} retried (${r.seconds.toFixed(1)} s).`, 'summary');
    } else head = text('p', 'Apply failed: ' + job.error, 'error');
    box.replaceChildren(head, bar, ol);
    box.dataset.state = job.state;
    box.dataset.job = String(job.job);
  }

  async function apply() {
    const box = $('ctl-apply-result');
    $('ctl-apply').disabled = true;
    try {
      let job = await c.api('POST', '/_vpcpeer/controller/apply', { topology: topology() });
      topologyName = job.topology;
      showJob(job);
      while (job.state === 'running') {
        await new Promise((r) => setTimeout(r, JOB_POLL_MS));
        job = await c.api('GET', '/_vpcpeer/controller/apply?job=' + job.job);
        showJob(job);
      }
      await status();
    } catch (e) {
      showError(box, e);
    } finally {
      $('ctl-apply').disabled = false;
    }
  }

  // --- status and timeline -------------------------------------------------------------------
  function badge(up) {
    return text('span', up ? 'up' : 'down', 'state ' + (up ? 'active' : 'failed'));
  }

  function showStatus(s) {
    const box = $('ctl-status-result');
    const ul = document.createElement('ul');
    ul.id = 'ctl-links';
    for (const n of s.native) {
      const li = document.createElement('li');
      li.dataset.link = n.link;
      li.dataset.up = String(n.up);
      li.dataset.kind = 'native';
      li.append(text('b', n.link), ` ${n.sides[0]} ↔ ${n.sides[1]} · ${n.cloud} peering ${n.peering || '—'} `,
        text('span', n.state, 'state ' + (n.up ? 'active' : 'pending')), ' ', badge(n.up));
      if (n.peering) li.addEventListener('click', () => c.focus(n.peering));
      ul.append(li);
    }
    for (const l of s.links) {
      const li = document.createElement('li');
      li.dataset.link = l.link;
      li.dataset.up = String(l.status === 'up');
      li.dataset.kind = 'encrypted';
      const pair = l.active === 'backup' && l.backup ? l.backup.vms : l.primary.vms;
      li.append(text('b', l.link), ` ${l.sides[0]} ↔ ${l.sides[1]} · encrypted, ${l.active} pair ${pair[0]} ↔ ${pair[1]} since ${l.since_time} `,
        badge(l.status === 'up'));
      ul.append(li);
    }
    if (!ul.children.length) ul.append(text('li', 'No links.', 'hint'));
    const ol = document.createElement('ol');
    ol.id = 'ctl-timeline';
    for (const e of s.events) {
      const pair = (p) => p[0] + ' ↔ ' + p[1];
      const what = pair(e.from) === pair(e.to) ? pair(e.to) : pair(e.from) + ' → ' + pair(e.to);
      const li = text('li', `${e.time_text} ${e.link} ${e.kind}: ${what} (${e.reason})`, 'event-' + e.kind);
      li.dataset.kind = e.kind;
      ol.append(li);
    }
    if (!ol.children.length) ol.append(text('li', 'No health events yet.', 'hint'));
    box.replaceChildren(text('p', `Status of ${topologyName} at ${s.time}`, 'summary'),
      text('h3', 'Links'), ul, text('h3', 'Health events and failovers'), ol);
    box.dataset.state = 'shown';
  }

  async function status() {
    const box = $('ctl-status-result');
    const name = topologyName || nameOf(topology());
    if (!name) {
      box.replaceChildren(text('p', 'Apply a topology first (its name: the file\'s `name:`).', 'error'));
      return;
    }
    topologyName = name;
    try {
      showStatus(await c.api('GET', '/_vpcpeer/controller/status?topology=' + encodeURIComponent(name)));
    } catch (e) {
      showError(box, e);
    }
  }

  $('ctl-file').addEventListener('change', async () => {
    const f = $('ctl-file').files[0];
    if (f) $('ctl-topology').value = await f.text();
  });
  $('ctl-topology').addEventListener('input', () => { topologyName = null; });
  $('ctl-plan').addEventListener('click', plan);
  $('ctl-apply').addEventListener('click', apply);
  $('ctl-status').addEventListener('click', status);
})();
