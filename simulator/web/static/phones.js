// The phones page: renders the simulator's snapshots (pushed as server-sent events) and posts its buttons as JSON.
// Plain browser script, no framework: cards are built once per user and only their live parts are redrawn, so
// typing in a form or moving with the keyboard is never interrupted by an update.
'use strict';
(function () {
  const STATE_WORDS = { idle: 'idle', dialing: 'dialing', ringing: 'ringing', talking: 'talking', held: 'on hold' };
  const CONDITION_WORDS = { immediate: 'always', busy: 'if busy', no_answer: 'no answer', busy_no_answer: 'busy / no answer' };
  let state = null;
  let clockOffset = 0;
  const cards = new Map();

  /** Small element builder: h('button', { class: 'x', text: 'Go', onclick }, child...). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c) el.append(c);
    return el;
  }

  function elapsed(since) {
    const s = Math.max(0, Math.floor((Date.now() + clockOffset - since) / 1000));
    const m = Math.floor(s / 60);
    return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`;
  }

  function timer(since) {
    return h('time', { class: 'timer', 'data-since': since, text: elapsed(since) });
  }

  function tick() {
    for (const t of document.querySelectorAll('[data-since]')) t.textContent = elapsed(Number(t.getAttribute('data-since')));
  }

  // ---- actions ----------------------------------------------------------------------------------------

  const notice = () => document.getElementById('notice');

  function say(text) {
    const n = notice();
    n.textContent = text;
    n.hidden = !text;
  }

  async function act(action, body) {
    say('');
    try {
      const res = await fetch(`/api/${action}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      const answer = await res.json().catch(() => ({}));
      if (!res.ok) say(answer.error || `${action} failed (${res.status})`);
      return res.ok;
    } catch {
      say('The simulator is not answering: is it still running?');
      return false;
    }
  }

  // ---- phone cards ------------------------------------------------------------------------------------

  function buildPhone(p) {
    const id = `phone-${p.login}`;
    const parts = {
      badge: h('span', { class: 'badge', 'data-role': 'badge' }),
      devices: h('ul', { class: 'devices', 'aria-label': 'Devices' }),
      calls: h('ul', { class: 'calls', 'aria-label': 'Calls' }),
      routing: h('p', { class: 'routing', 'data-role': 'routing' }),
      agent: h('p', { class: 'agent', 'data-role': 'agent', hidden: true }),
      to: h('input', { name: 'to', list: 'numbers', inputmode: 'tel', autocomplete: 'off', placeholder: 'number', 'aria-label': `Number for ${p.name} to call or transfer to` }),
      destination: h('input', { name: 'destination', list: 'numbers', autocomplete: 'off', placeholder: 'forward to…', 'aria-label': `Forward ${p.name}'s calls to (a number or voicemail)` }),
      condition: h('select', { name: 'condition', 'aria-label': 'When' },
        ...Object.entries(CONDITION_WORDS).map(([v, t]) => h('option', { value: v, text: t }))),
      forwardBtn: h('button', { type: 'submit', 'data-role': 'forward-button' }),
      dndBtn: h('button', { type: 'button', class: 'dnd', 'data-role': 'dnd-button', 'aria-pressed': 'false', 'aria-label': `Do not disturb for ${p.name}` }),
    };
    const dial = h('form', { class: 'row dial', 'data-role': 'dial', onsubmit: (e) => {
      e.preventDefault();
      const to = parts.to.value.trim();
      if (to) act('call', { from: p.login, to });
    } }, parts.to, h('button', { type: 'submit', class: 'primary', text: 'Call' }));
    const forward = h('form', { class: 'row forward', 'data-role': 'forward', onsubmit: (e) => {
      e.preventDefault();
      const card = currentPhone(p.login);
      if (card && card.routing.forward) return act('forward', { user: p.login, destination: '' });
      const destination = parts.destination.value.trim();
      if (!destination) return parts.destination.focus();
      act('forward', { user: p.login, destination, condition: parts.condition.value });
    } }, parts.destination, parts.condition, parts.forwardBtn);
    parts.dndBtn.addEventListener('click', () => {
      const card = currentPhone(p.login);
      act('dnd', { user: p.login, on: !(card && card.routing.dnd) });
    });
    const root = h('article', { class: 'card phone', id, 'data-login': p.login, 'aria-labelledby': `${id}-name` },
      h('header', {}, h('h3', { id: `${id}-name`, text: p.name }), h('span', { class: 'ext', text: p.number, title: 'extension' }), parts.badge),
      parts.devices, parts.calls, parts.agent, h('div', { class: 'row status' }, parts.routing, parts.dndBtn), dial, forward);
    return { root, parts };
  }

  function currentPhone(login) {
    return state && state.phones.find((x) => x.login === login);
  }

  function callButtons(p, c, card) {
    const b = (text, action, body, cls) => h('button', { type: 'button', class: cls, 'data-key': `${p.login}|${c.ref}|${text}`, text, onclick: () => act(action, body) });
    const me = { user: p.login, ref: c.ref };
    if (c.state === 'ringing' && c.direction === 'incoming') {
      const ringing = c.devices.filter((d) => d.state === 'ringing');
      const answers = ringing.length > 1
        ? ringing.map((d) => b(`Answer on ${d.device}`, 'answer', { ...me, device: d.device }, 'primary'))
        : [b('Answer', 'answer', me, 'primary')];
      return [...answers, b('To voicemail', 'redirect', { ...me, to: 'voicemail' }), b('Reject', 'reject', me, 'danger')];
    }
    if (c.state === 'talking') {
      const held = card.calls.find((x) => x.state === 'held' && x.ref !== c.ref);
      const out = [b('Hold', 'hold', me)];
      if (held) out.push(b('Transfer (join)', 'transfer', { ...me, heldRef: held.ref }), b('Conference', 'conference', { ...me, heldRef: held.ref }));
      const blind = h('button', { type: 'button', 'data-key': `${p.login}|${c.ref}|blind`, text: 'Transfer to…', onclick: () => {
        const to = cards.get(p.login).parts.to;
        if (!to.value.trim()) {
          say(`Type the number to transfer to in ${p.name}'s number box, then press "Transfer to…" again.`);
          return to.focus();
        }
        act('transfer', { ...me, to: to.value.trim() });
      } });
      out.push(blind);
      out.push(b('Hang up', 'hangup', me, 'danger'));
      return out;
    }
    if (c.state === 'held') return [b('Retrieve', 'retrieve', me, 'primary'), b('Hang up', 'hangup', me, 'danger')];
    return [b('Hang up', 'hangup', me, 'danger')];
  }

  function callWords(c) {
    if (c.state === 'ringing' && c.direction === 'incoming') return `from ${c.other}`;
    if (c.direction === 'outgoing') return `to ${c.other}`;
    return `with ${c.other}`;
  }

  function routingWords(p) {
    const f = p.routing.forward;
    const o = p.overflow;
    return [
      f ? `Forward → ${f.destination} (${CONDITION_WORDS[f.condition] || f.condition})` : 'Forward off',
      o ? `Overflow → ${o.destination} (${CONDITION_WORDS[o.condition] || o.condition})` : 'Overflow off',
    ];
  }

  function renderPhone(p) {
    let card = cards.get(p.login);
    if (!card) {
      card = buildPhone(p);
      cards.set(p.login, card);
      document.getElementById('phones').append(card.root);
    }
    const { root, parts } = card;
    root.setAttribute('data-state', p.state);
    parts.badge.textContent = STATE_WORDS[p.state];
    parts.badge.className = `badge state-${p.state}`;
    parts.devices.replaceChildren(...p.devices.map((d) => h('li', { class: `device state-${d.state}`, title: `device ${d.device}: ${STATE_WORDS[d.state]}` },
      h('span', { class: 'dot', 'aria-hidden': 'true' }), `${d.device} `, h('span', { class: 'device-state', text: STATE_WORDS[d.state] }))));
    parts.calls.replaceChildren(...p.calls.map((c) => h('li', { class: `call state-${c.state}`, 'data-ref': c.ref },
      h('div', { class: 'call-line' }, h('span', { class: 'what', text: STATE_WORDS[c.state] }), h('span', { class: 'who', text: callWords(c) }), timer(c.since)),
      h('div', { class: 'actions' }, ...callButtons(p, c, p)))));
    parts.routing.replaceChildren(...routingWords(p).map((t) => h('span', { class: /off$/.test(t) ? 'off' : 'on', text: t })));
    parts.agent.hidden = !p.agent;
    if (p.agent) parts.agent.textContent = `Agent: ${p.agent.activity.replace(/_/g, ' ')}${p.agent.groupName ? ` in ${p.agent.groupName}` : ''}`;
    parts.forwardBtn.textContent = p.routing.forward ? 'Forward off' : 'Forward on';
    parts.forwardBtn.className = p.routing.forward ? 'on' : '';
    parts.dndBtn.textContent = p.routing.dnd ? 'DND on' : 'DND off';
    parts.dndBtn.title = p.routing.dnd ? 'Do not disturb is on: calls are refused. Press to turn it off.' : 'Do not disturb is off. Press to refuse all calls.';
    parts.dndBtn.setAttribute('aria-pressed', String(p.routing.dnd));
    parts.dndBtn.className = p.routing.dnd ? 'dnd on' : 'dnd';
  }

  // ---- queues and outside lines -----------------------------------------------------------------------

  function renderQueues(queues) {
    const root = document.getElementById('queues');
    root.replaceChildren(...queues.map((q) => h('article', { class: `card queue${q.waiting.length ? ' busy' : ''}`, 'data-pilot': q.number, 'aria-label': `${q.name} queue` },
      h('header', {}, h('h3', { text: `${q.name} queue` }), h('span', { class: 'ext', text: q.number }),
        h('span', { class: `badge ${q.waiting.length ? 'state-ringing' : 'state-idle'}`, text: `${q.waiting.length} waiting` })),
      h('p', { class: 'hint', text: `${q.readyAgents} agent${q.readyAgents === 1 ? '' : 's'} ready of ${q.agents.length} in group ${q.group}` }),
      h('ul', { class: 'calls', 'aria-label': 'Waiting calls' }, ...q.waiting.map((w) => h('li', { class: 'call state-ringing' },
        h('div', { class: 'call-line' }, h('span', { class: 'what', text: 'waiting' }), h('span', { class: 'who', text: w.caller }), timer(w.since))))),
      h('ul', { class: 'agents', 'aria-label': 'Agents' }, ...q.agents.map((a) => h('li', { class: `agent-row activity-${a.activity}` },
        h('span', { class: 'who', text: `${a.name} — ${a.activity.replace(/_/g, ' ')}${a.busy ? ', on a call' : ''}` }),
        a.activity === 'ready' || a.activity === 'paused'
          ? h('button', { type: 'button', 'data-key': `agent|${a.login}`, text: a.activity === 'ready' ? 'Pause' : 'Ready',
            onclick: () => act('agent', { user: a.login, activity: a.activity === 'ready' ? 'paused' : 'ready' }) })
          : null))))));
  }

  function renderOutside(lines) {
    document.getElementById('outside-empty').hidden = lines.length > 0;
    document.getElementById('outside').replaceChildren(...lines.map((l) => {
      const b = (text, action, body, cls) => h('button', { type: 'button', class: cls, 'data-key': `ext|${l.number}|${l.ref}|${text}`, text, onclick: () => act(action, body) });
      const words = l.state === 'ringing' ? `${l.with} calls ${l.number}` : l.state === 'dialing' ? `${l.number} calls ${l.with}` : `${l.number} with ${l.with}`;
      return h('li', { class: `call state-${l.state}`, 'data-outside': l.number },
        h('div', { class: 'call-line' }, h('span', { class: 'what', text: STATE_WORDS[l.state] }), h('span', { class: 'who', text: words }), timer(l.since)),
        h('div', { class: 'actions' },
          l.state === 'ringing' ? b('Answer', 'answer', { ref: l.ref }, 'primary') : null,
          b('Hang up', 'hangup', { ref: l.ref, user: l.number }, 'danger')));
    }));
  }

  /** The generated calls' switch: shown while a generator runs, says whether it is paused. */
  function renderTraffic(t) {
    const bar = document.getElementById('traffic');
    bar.hidden = !t || !t.generated;
    if (bar.hidden) return;
    bar.setAttribute('data-paused', String(t.paused));
    document.getElementById('traffic-switch').setAttribute('aria-checked', String(!t.paused));
    document.getElementById('traffic-words').textContent = t.paused
      ? 'Paused: no new generated calls; only the calls you make here happen. Press to resume.'
      : 'A generated call every few seconds. Press to pause them while you try things by hand.';
  }

  function render(s) {
    state = s;
    renderTraffic(s.traffic);
    clockOffset = s.now - Date.now();
    // How long a call rings before it counts as missed (the PBX's ring-no-answer timeout).
    document.getElementById('ring-hint').textContent = `An unanswered call rings ${Math.round(s.ringTimeoutMs / 1000)} s, then ends as not answered: a missed call for whoever it rang (hanging up or Reject earlier ends it sooner).`;
    // Redrawn buttons are new elements: keep the keyboard focus on "the same" button.
    const focused = document.activeElement && document.activeElement.getAttribute('data-key');
    for (const p of s.phones) renderPhone(p);
    renderQueues(s.queues);
    renderOutside(s.outside);
    const list = document.getElementById('numbers');
    if (list.children.length !== s.directory.length) {
      list.replaceChildren(...s.directory.map((d) => h('option', { value: d.number, text: d.label })), h('option', { value: 'voicemail', text: 'Voicemail (forward)' }));
    }
    if (focused) {
      const again = document.querySelector(`[data-key="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
  }

  // ---- live log ---------------------------------------------------------------------------------------

  const LOG_KEEP = 300;
  let lastSeq = 0;

  function addLog(e) {
    if (e.seq <= lastSeq) return;
    lastSeq = e.seq;
    const log = document.getElementById('log');
    const t = new Date(e.time);
    log.prepend(h('li', { class: `entry kind-${e.kind}` },
      h('time', { datetime: t.toISOString(), text: t.toLocaleTimeString([], { hour12: false }) }), h('span', { text: e.text })));
    while (log.children.length > LOG_KEEP) log.lastElementChild.remove();
  }

  // ---- wiring -----------------------------------------------------------------------------------------

  function setLive(on) {
    const live = document.getElementById('live');
    live.setAttribute('data-live', String(on));
    live.textContent = on ? 'live' : 'reconnecting…';
  }

  function connect() {
    const es = new EventSource('/events');
    es.addEventListener('hello', (e) => {
      const d = JSON.parse(e.data);
      for (const entry of d.log) addLog(entry);
      render(d.state);
      setLive(true);
    });
    es.addEventListener('state', (e) => render(JSON.parse(e.data)));
    es.addEventListener('log', (e) => addLog(JSON.parse(e.data)));
    // EventSource reconnects by itself (the server asks for 1 s); the hello after it brings everything back.
    es.addEventListener('error', () => setLive(false));
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.getElementById('traffic-switch').addEventListener('click', () => {
      act('traffic', { paused: !(state && state.traffic && state.traffic.paused) });
    });
    document.getElementById('outside-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const f = e.currentTarget;
      act('call', { from: f.elements.from.value.trim(), to: f.elements.to.value.trim(), anonymous: f.elements.anonymous.checked });
    });
    connect();
    setInterval(tick, 1000);
  });
})();
