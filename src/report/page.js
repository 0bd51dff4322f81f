// SPDX-License-Identifier: Apache-2.0
// The report page's script: reads the model (the JSON element #model) and draws every section with
// DOM text nodes (never HTML from the model) and Chart.js charts.
(function () {
  'use strict';
  const model = JSON.parse(document.getElementById('model').textContent);
  const main = document.getElementById('report');
  const palette = ['#3366cc', '#dc3912', '#ff9900', '#109618', '#990099', '#0099c6', '#dd4477', '#66aa00',
                   '#b82e2e', '#316395', '#994499', '#22aa99', '#aaaa11', '#6633cc', '#e67300', '#8b0707'];
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
    for (const child of children) {
      node.appendChild(typeof child === 'object' && child !== null ? child : document.createTextNode(String(child)));
    }
    return node;
  }
  function section(title, id) {
    const node = el('section', {id: id});
    node.appendChild(el('h2', {}, title));
    main.appendChild(node);
    return node;
  }
  function chart(parent, id, height, config) {
    const box = el('div', {class: 'chart', style: 'height:' + height + 'px'});
    const canvas = el('canvas', {id: id, 'data-chart': id});
    box.appendChild(canvas);
    parent.appendChild(box);
    new Chart(canvas, config);
  }
  function table(parent, id, headers, rows, keyOf) {
    const node = el('table', {id: id});
    node.appendChild(el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))));
    const body = el('tbody');
    for (const row of rows) {
      const tr = el('tr', keyOf ? {'data-key': keyOf(row)} : {});
      row.cells.forEach((cell, i) => tr.appendChild(el('td', row.attrs && row.attrs[i] ? row.attrs[i] : {}, cell)));
      body.appendChild(tr);
    }
    node.appendChild(body);
    parent.appendChild(node);
    return node;
  }
  function figures(parent, pairs) {
    const list = el('dl', {class: 'figures'});
    for (const [label, key, value] of pairs) {
      list.appendChild(el('div', {}, el('dt', {}, label), el('dd', {'data-figure': key}, value)));
    }
    parent.appendChild(list);
  }
  function bar(labels, data, label, horizontal) {
    return {type: 'bar', data: {labels: labels, datasets: [{label: label, data: data, backgroundColor: palette[0]}]},
            options: {indexAxis: horizontal ? 'y' : 'x', plugins: {legend: {display: false}}}};
  }

  function processTree(parent, processes, index) {
    if (processes.length === 0) {
      parent.appendChild(el('p', {class: 'note'}, 'This recording does not keep its process tree ' +
                                                  '(made by an older sysfence, or merged from several runs).'));
      return;
    }
    const children = new Map();
    const pids = new Set(processes.map((p) => p.pid));
    for (const process of processes) {
      const parentPid = pids.has(process.parent) ? process.parent : 0;
      if (!children.has(parentPid)) children.set(parentPid, []);
      children.get(parentPid).push(process);
    }
    function list(parentPid) {
      const ul = el('ul');
      for (const process of children.get(parentPid) || []) {
        const text = process.pid + ' ' + (process.name || '?') + (process.calls ? ' \u2014 ' + process.calls + ' calls' : '');
        const li = el('li', {'data-pid': process.pid, 'data-parent': process.parent}, el('span', {}, text));
        if (children.has(process.pid)) li.appendChild(list(process.pid));
        ul.appendChild(li);
      }
      return ul;
    }
    const tree = list(0);
    tree.id = 'tree-' + index;
    tree.className = 'tree';
    parent.appendChild(tree);
  }

  function coverage(parent, coverage) {
    const lists = [['Seen once (a rare path, maybe)', 'seen_once'],
                   ['Start-up only (first calls of a process image)', 'startup_only'],
                   ['One process only (of several)', 'single_process'],
                   ['Risky syscalls the policy allows', 'dangerous']];
    for (const [title, key] of lists) {
      const items = coverage[key] || [];
      const box = el('div', {class: 'coverage', 'data-coverage': key});
      box.appendChild(el('h4', {}, title + ' (' + items.length + ')'));
      if (items.length) box.appendChild(el('p', {}, items.join(', ')));
      parent.appendChild(box);
    }
    for (const limit of coverage.limits || []) parent.appendChild(el('p', {class: 'note'}, limit));
  }

  function recording(rec, index) {
    const node = section('Recording: ' + rec.name, 'recording-' + index);
    node.appendChild(el('p', {class: 'command'}, rec.command.length ? rec.command.join(' ') : '(attached to a process)'));
    figures(node, [['calls', 'total_calls', rec.total_calls], ['distinct syscalls', 'distinct_syscalls', rec.distinct_syscalls],
                   ['process images', 'process_images', rec.process_images],
                   ['duration (ms)', 'duration_ms', rec.duration_ms.toFixed(1)], ['backend', 'backend', rec.backend],
                   ['kernel', 'kernel', rec.kernel || '?']]);
    node.appendChild(el('h3', {}, 'Syscalls by group'));
    node.appendChild(el('p', {class: 'note'}, 'Groups overlap: a call counts in every group that names its syscall.'));
    const groups = rec.groups.slice(0, 30);
    chart(node, 'groups-' + index, 60 + 18 * groups.length,
          bar(groups.map((g) => g.name), groups.map((g) => g.calls), 'calls', true));
    node.appendChild(el('h3', {}, 'Most called syscalls'));
    const top = rec.syscalls.slice(0, 30);
    chart(node, 'syscalls-' + index, 60 + 18 * top.length,
          bar(top.map((s) => s.name), top.map((s) => s.count), 'calls', true));
    node.appendChild(el('h3', {}, 'Calls over time'));
    if (rec.timeline) {
      const step = rec.timeline.interval_ms;
      chart(node, 'timeline-' + index, 260, {
        type: 'bar',
        data: {labels: rec.timeline.calls.map((_, i) => (i * step).toFixed(step < 1 ? 1 : 0)),
               datasets: [{label: 'calls per ' + step + ' ms', data: rec.timeline.calls, backgroundColor: palette[3]}]},
        options: {barPercentage: 1, categoryPercentage: 1,
                  scales: {x: {title: {display: true, text: 'ms since the recording started'}}}}});
    } else {
      node.appendChild(el('p', {class: 'note'}, 'This recording keeps no calls over time (made by an older ' +
                                                'sysfence, or merged from several runs).'));
    }
    node.appendChild(el('h3', {}, 'Process tree'));
    processTree(node, rec.processes, index);
    node.appendChild(el('h3', {}, 'Coverage'));
    coverage(node, rec.coverage);
    node.appendChild(el('h3', {}, 'Every syscall'));
    table(node, 'syscall-table-' + index, ['syscall', 'calls', 'errors', 'process images', 'start-up only', 'first (ms)', 'last (ms)'],
          rec.syscalls.map((s) => ({cells: [s.name, s.count, s.errors, s.processes, s.startup_only ? 'yes' : '',
                                             s.first_ms.toFixed(1), s.last_ms.toFixed(1)],
                                    attrs: [{}, {'data-count': s.count}]})), (row) => row.cells[0]);
  }

  function policy(p) {
    const node = section('Policy: ' + p.name, 'policy');
    figures(node, [['rules', 'rules', p.rules.length], ['default', 'default', p.default]]);
    if (!p.with_recording) {
      node.appendChild(el('p', {class: 'note'}, 'Give a recording too (sysfence report POLICY RECORDING) to see ' +
                                                'the recorded calls each rule lets through.'));
    }
    table(node, 'rules', ['line', 'rule', 'evidence', 'recorded calls'],
          p.rules.map((r) => ({cells: [r.line || '', r.text, [r.comment, r.evidence.map((e) => e.syscall + ' \u00d7' + e.count).join(', ')]
                                                                  .filter((t) => t).join(' \u2014 '), r.calls],
                                attrs: [{}, {class: 'rule'}, {}, {'data-calls': r.calls}]})), (row) => row.cells[1]);
  }

  function events(ev, index) {
    const node = section('Violations: ' + ev.name, 'events-' + index);
    figures(node, [['reported calls', 'total', ev.total], ['rules', 'rules', ev.rules.length]]);
    node.appendChild(el('h3', {}, 'Over time, by rule'));
    const labels = Array.from({length: ev.intervals}, (_, i) => (i * ev.interval_s).toFixed(ev.interval_s < 1 ? 3 : 0));
    chart(node, 'violations-' + index, 280, {
      type: 'bar',
      data: {labels: labels, datasets: ev.rules.map((r, i) => ({label: r.rule, data: r.over_time,
                                                                 backgroundColor: palette[i % palette.length]}))},
      options: {scales: {x: {stacked: true, title: {display: true, text: 'seconds since the first event (per ' + ev.interval_s + ' s)'}},
                         y: {stacked: true}}}});
    table(node, 'violation-rules-' + index, ['rule', 'calls', 'syscalls'],
          ev.rules.map((r) => ({cells: [r.rule, r.count, r.syscalls.map((s) => s.syscall + ' \u00d7' + s.count).join(', ')],
                                attrs: [{}, {'data-count': r.count}]})), (row) => row.cells[0]);
    node.appendChild(el('h3', {}, 'By process'));
    table(node, 'violation-processes-' + index, ['pid', 'command name', 'calls'],
          ev.processes.map((p) => ({cells: [p.pid, p.comm, p.count]})));
  }

  function diff(d) {
    const node = section('Difference: ' + d.a + ' \u2192 ' + d.b, 'diff');
    figures(node, [['only in ' + d.a, 'only_a', d.only_a.length], ['only in ' + d.b, 'only_b', d.only_b.length],
                   ['in both', 'both', d.both.length]]);
    const changed = d.both.filter((s) => s.a !== s.b)
                          .sort((x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a)).slice(0, 30);
    const shown = changed.concat(d.only_a.map((s) => ({name: s.name, a: s.count, b: 0})),
                                 d.only_b.map((s) => ({name: s.name, a: 0, b: s.count}))).slice(0, 40);
    chart(node, 'diff-chart', 80 + 22 * shown.length, {
      type: 'bar',
      data: {labels: shown.map((s) => s.name),
             datasets: [{label: d.a, data: shown.map((s) => s.a), backgroundColor: palette[0]},
                        {label: d.b, data: shown.map((s) => s.b), backgroundColor: palette[1]}]},
      options: {indexAxis: 'y'}});
    const rows = d.only_a.map((s) => ({cells: [s.name, s.count, 0, 'only in ' + d.a]}))
        .concat(d.only_b.map((s) => ({cells: [s.name, 0, s.count, 'only in ' + d.b]})))
        .concat(d.both.map((s) => ({cells: [s.name, s.a, s.b, s.a === s.b ? 'same' : (s.b > s.a ? '+' : '') + (s.b - s.a)]})));
    table(node, 'diff-table', ['syscall', d.a, d.b, 'change'], rows, (row) => row.cells[0]);
  }

  model.recordings.forEach(recording);
  if (model.policy) policy(model.policy);
  model.events.forEach(events);
  if (model.diff) diff(model.diff);
  document.body.setAttribute('data-rendered', 'yes');
})();
