// The Scoop status page: polls /api/status every second and shows it. Text only: nothing from the run is ever
// parsed as markup (the page's Content-Security-Policy forbids inline script anyway).
'use strict';
(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function bytes(n) {
    if (n < 0) return '–';
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }

  function ms(v) {
    if (v < 0) return '–';
    return v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v.toFixed(1) + ' ms';
  }

  function bar(fraction, text) {
    const td = el('td');
    if (fraction < 0) { td.textContent = '–'; return td; }
    const b = el('span', null, 'bar');
    const fill = el('span');
    fill.style.width = Math.max(0, Math.min(100, fraction * 100)).toFixed(0) + '%';
    b.appendChild(fill);
    td.appendChild(b);
    td.appendChild(document.createTextNode(text));
    return td;
  }

  function replaceRows(tbody, rows) {
    while (tbody.firstChild) tbody.removeChild(tbody.firstChild);
    rows.forEach((r) => tbody.appendChild(r));
  }

  function workers(s) {
    const byName = s.workers.slice().sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    const rows = byName.map((w) => {
      const tr = el('tr');
      tr.appendChild(el('td', w.name));
      tr.appendChild(el('td', w.host));
      tr.appendChild(el('td', w.pid));
      tr.appendChild(el('td', w.state + (w.assigned > 0 ? ' (' + w.assigned + ')' : ''), 'state-' + w.state));
      const current = w.running.map((r) => (r.label ? r.label : 'task ' + r.id)).join(', ');
      tr.appendChild(el('td', current || (w.assigned > 0 ? '–' : 'idle')));
      tr.appendChild(bar(w.cpuPermille < 0 ? -1 : w.cpuPermille / 1000,
        w.cpuPermille < 0 ? '' : (w.cpuPermille / 10).toFixed(0) + '%'));
      tr.appendChild(bar(w.heapMax > 0 ? w.heapUsed / w.heapMax : -1,
        w.heapMax > 0 ? bytes(w.heapUsed) + ' / ' + bytes(w.heapMax) : ''));
      tr.appendChild(el('td', w.done));
      tr.appendChild(el('td', w.failed));
      tr.dataset.worker = w.name;
      return tr;
    });
    replaceRows($('workers').tBodies[0], rows);
    const lost = $('lost');
    while (lost.firstChild) lost.removeChild(lost.firstChild);
    if (s.lostWorkers.length > 0) {
      lost.appendChild(el('p', 'Workers gone lately:', 'muted'));
      const ul = el('ul');
      s.lostWorkers.forEach((w) => ul.appendChild(el('li', w.name + ' (pid ' + w.pid + ' on ' + w.host + ') at '
        + new Date(w.at).toLocaleTimeString() + ': ' + w.reason)));
      lost.appendChild(ul);
    }
  }

  function spark(perSecond) {
    const svg = $('spark');
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const n = perSecond.length;
    const max = Math.max(1, ...perSecond);
    const w = 600, h = 80, top = 12;
    const pts = perSecond.map((v, i) => ((i * w) / (n - 1)).toFixed(1) + ',' + (h - (v * (h - top)) / max).toFixed(1));
    const area = document.createElementNS(SVG, 'polygon');
    area.setAttribute('points', '0,' + h + ' ' + pts.join(' ') + ' ' + w + ',' + h);
    svg.appendChild(area);
    const line = document.createElementNS(SVG, 'polyline');
    line.setAttribute('points', pts.join(' '));
    svg.appendChild(line);
    $('spark-max').textContent = 'peak ' + max + '/s';
  }

  // Failures are kept by key between polls, so that one the user opened stays open.
  const shownFailures = new Map();

  function failures(s) {
    const box = $('failures');
    const keep = new Map();
    s.failures.forEach((f) => {
      const key = f.id + '@' + f.at + '@' + f.status;
      let d = shownFailures.get(key);
      if (!d) {
        d = el('details');
        const first = f.text.split('\n')[0];
        d.appendChild(el('summary', (f.id >= 0 ? 'task ' + f.id : '') + (f.label ? ' “' + f.label + '”' : '')
          + ' ' + f.status + (f.worker ? ' on ' + f.worker : '') + ' at ' + new Date(f.at).toLocaleTimeString()
          + ': ' + first));
        d.appendChild(el('pre', f.text));
        d.dataset.key = key;
      }
      keep.set(key, d);
    });
    while (box.firstChild) box.removeChild(box.firstChild);
    shownFailures.clear();
    if (keep.size === 0) { box.appendChild(el('p', 'none', 'muted')); return; }
    keep.forEach((d, key) => { shownFailures.set(key, d); box.appendChild(d); });
  }

  function tasks(s) {
    const rows = s.tasks.map((t) => {
      const tr = el('tr');
      tr.appendChild(el('td', t.id));
      tr.appendChild(el('td', t.label));
      tr.appendChild(el('td', t.status, 'status-' + t.status));
      tr.appendChild(el('td', t.worker ? t.worker + ' @ ' + t.host : ''));
      tr.appendChild(el('td', t.attempt));
      tr.appendChild(el('td', ms(t.queuedMs)));
      tr.appendChild(el('td', ms(t.runMs)));
      tr.appendChild(el('td', bytes(t.sentBytes)));
      tr.appendChild(el('td', bytes(t.returnedBytes)));
      tr.appendChild(el('td', bytes(t.allocatedBytes)));
      return tr;
    });
    replaceRows($('tasks').tBodies[0], rows);
  }

  function show(s) {
    $('broker').textContent = s.address + ' · secret: ' + s.secret + ' · up '
      + Math.round((s.takenAt - s.startedAt) / 1000) + ' s · roots ' + s.roots;
    $('workers-count').textContent = s.workerCount;
    $('queued').textContent = s.queued;
    $('in-flight').textContent = s.inFlight;
    $('done-count').textContent = s.done;
    $('failed-count').textContent = s.failed;
    const last10 = s.perSecond.slice(-11, -1);
    $('rate').textContent = (last10.reduce((a, b) => a + b, 0) / 10).toFixed(1);
    workers(s);
    spark(s.perSecond);
    failures(s);
    tasks(s);
  }

  async function poll() {
    const conn = $('conn');
    try {
      const r = await fetch('/api/status', { credentials: 'same-origin', cache: 'no-store' });
      if (!r.ok) throw new Error('HTTP ' + r.status);
      show(await r.json());
      conn.textContent = 'live';
      conn.className = 'conn live';
    } catch (e) {
      conn.textContent = 'no answer from the broker (' + e.message + ')';
      conn.className = 'conn down';
    }
    setTimeout(poll, 1000);
  }

  poll();
}());
