// caisbot playground page. Renders the emulator's state (messages, modals,
// Home tabs) from the very Block Kit JSON the bot produced. Bot and user text
// is only ever put into the page as text nodes, never as HTML.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const { h, mrkdwn, textObj, plain, renderBlocks, collectValues } = window.PG;
  const S = {
    snap: null,
    version: -1,
    user: localStorage.getItem('pg-user') || '',
    view: location.hash === '#home' ? 'home' : 'channel',
    dismissed: new Set(),
    msgCache: new Map(),
    modalKey: '',
    homeKey: '',
    fetching: false,
    again: false,
    stickBottom: true,
    homeLoading: false,
  };

  // ---------------------------------------------------------------- people
  const PALETTE = ['#e8912d', '#2bac76', '#1264a3', '#cd2553', '#9e3997', '#4a8c8c', '#b26a00', '#3f46ad'];
  function colorFor(id) {
    let n = 0;
    for (const c of id) n = (n * 31 + c.charCodeAt(0)) >>> 0;
    return PALETTE[n % PALETTE.length];
  }
  function userByID(id) {
    return (S.snap && S.snap.users.find((u) => u.id === id)) || null;
  }
  function displayName(id) {
    if (S.snap && id === S.snap.bot.id) return S.snap.bot.name;
    const u = userByID(id);
    return u ? u.name : id;
  }
  function avatar(author, cls) {
    const a = h('span', 'avatar' + (cls ? ' ' + cls : ''));
    if (author.bot) {
      const img = h('img');
      img.src = '/playground/static/caisbot.svg';
      img.alt = '';
      a.append(img);
    } else {
      a.textContent = (author.name.trim()[0] || '?').toUpperCase();
      a.style.background = author.color || colorFor(author.id);
    }
    return a;
  }
  function authorOf(m) {
    if (m.system) return { id: 'playground', name: 'Playground', color: '#8d1d3a', system: true };
    if (m.bot_id || (S.snap && m.user === S.snap.bot.id)) return { id: 'bot', name: S.snap.bot.name, bot: true };
    return { id: m.user, name: displayName(m.user) };
  }

  window.PG.people = {
    name: (id) => (userByID(id) || (S.snap && id === S.snap.bot.id) ? displayName(id) : null),
    me: () => S.user,
    channel: (id) => (S.snap && id === S.snap.channel.id ? S.snap.channel.name : null),
  };

  window.PG.onButton = clickButton;
  async function clickButton(el, blockId, ctx, btn) {
    if (btn.classList.contains('busy')) return;
    if (el.confirm && !(await confirmDialog(el.confirm))) return;
    if (el.url && /^https?:/i.test(el.url)) window.open(el.url, '_blank', 'noopener');
    btn.classList.add('busy');
    btn.disabled = true;
    const body = { user: S.user, block_id: blockId, action_id: el.action_id };
    if (ctx.kind === 'message') body.ts = ctx.ts;
    else {
      body.view_id = ctx.viewId;
      body.values = collectValues(ctx.root && ctx.root());
    }
    try {
      await post('click', body);
    } finally {
      btn.classList.remove('busy');
      btn.disabled = false;
    }
  }

  // ---------------------------------------------------------------- dialogs
  function confirmDialog(c) {
    return new Promise((resolve) => {
      const root = $('confirm-root');
      const box = h('div', 'modal confirm');
      box.setAttribute('role', 'alertdialog');
      box.setAttribute('aria-modal', 'true');
      const head = h('div', 'modal-head');
      head.append(h('h2', 'modal-title', plain(c.title) || 'Are you sure?'));
      const body = h('div', 'modal-body');
      body.append(textObj(c.text));
      const foot = h('div', 'modal-foot');
      const deny = h('button', 'btn big', plain(c.deny) || 'Cancel');
      const ok = h('button', 'btn big ' + (c.style === 'danger' ? 'danger' : 'primary'), plain(c.confirm) || 'Yes');
      deny.type = ok.type = 'button';
      ok.id = 'confirm-ok';
      deny.id = 'confirm-deny';
      foot.append(deny, ok);
      box.append(head, body, foot);
      const done = (v) => {
        root.hidden = true;
        root.replaceChildren();
        document.removeEventListener('keydown', onKey, true);
        resolve(v);
      };
      const onKey = (e) => {
        if (e.key === 'Escape') { e.stopPropagation(); done(false); }
      };
      deny.addEventListener('click', () => done(false));
      ok.addEventListener('click', () => done(true));
      root.onclick = (e) => { if (e.target === root) done(false); };
      document.addEventListener('keydown', onKey, true);
      root.replaceChildren(box);
      root.hidden = false;
      ok.focus();
    });
  }

  function renderModal() {
    const root = $('modal-root');
    const stack = (S.snap.modals && S.snap.modals[S.user]) || [];
    const top = stack[stack.length - 1];
    if (!top) {
      root.hidden = true;
      root.replaceChildren();
      S.modalKey = '';
      return;
    }
    const key = S.user + '|' + top.id + '|' + top.hash;
    if (key !== S.modalKey) {
      S.modalKey = key;
      const v = top.view;
      const box = h('form', 'modal');
      box.id = 'modal';
      box.noValidate = true;
      box.setAttribute('role', 'dialog');
      box.setAttribute('aria-modal', 'true');
      box.dataset.viewId = top.id;
      const head = h('div', 'modal-head');
      const icon = h('img');
      icon.src = '/playground/static/caisbot.svg';
      icon.alt = '';
      const x = h('button', 'modal-x', '×');
      x.type = 'button';
      x.setAttribute('aria-label', 'Close');
      head.append(icon, h('h2', 'modal-title', plain(v.title)), x);
      const body = h('div', 'modal-body');
      const gen = h('div', 'modal-error');
      gen.hidden = true;
      body.append(gen, renderBlocks(v.blocks, { kind: 'view', viewId: top.id, root: () => box }));
      const foot = h('div', 'modal-foot');
      const close = h('button', 'btn big', plain(v.close) || 'Cancel');
      close.type = 'button';
      close.id = 'modal-close';
      foot.append(close);
      let submit = null;
      if (v.submit) {
        submit = h('button', 'btn big primary', plain(v.submit));
        submit.type = 'submit';
        submit.id = 'modal-submit';
        foot.append(submit);
      }
      box.append(head, body, foot);
      const doClose = () => post('close', { user: S.user, view_id: top.id });
      x.addEventListener('click', doClose);
      close.addEventListener('click', doClose);
      box.addEventListener('keydown', (e) => { if (e.key === 'Escape') doClose(); });
      box.addEventListener('submit', async (e) => {
        e.preventDefault();
        if (!submit || submit.disabled) return;
        submit.disabled = true;
        submit.classList.add('busy');
        try {
          await post('submit', { user: S.user, view_id: top.id, values: collectValues(box) });
        } finally {
          submit.disabled = false;
          submit.classList.remove('busy');
        }
      });
      root.replaceChildren(box);
      root.hidden = false;
      const first = box.querySelector('input, textarea');
      if (first) first.focus();
    }
    const errors = top.errors || {};
    const box = $('modal');
    const gen = box.querySelector('.modal-error');
    gen.textContent = errors[''] || '';
    gen.hidden = !errors[''];
    for (const inp of box.querySelectorAll('.blk-input')) {
      const msg = errors[inp.dataset.blockId] || '';
      const e = inp.querySelector('.field-error');
      e.textContent = msg ? '⚠ ' + msg : '';
      e.hidden = !msg;
      inp.classList.toggle('has-error', !!msg);
    }
  }

  // ---------------------------------------------------------------- messages
  function fmtTime(ts) {
    return new Date(parseFloat(ts) * 1000).toLocaleTimeString([], { hour: 'numeric', minute: '2-digit' });
  }
  function fmtDay(ts) {
    const d = new Date(parseFloat(ts) * 1000);
    const today = new Date();
    if (d.toDateString() === today.toDateString()) return 'Today';
    return d.toLocaleDateString([], { weekday: 'long', month: 'long', day: 'numeric' });
  }
  function fmtSize(n) {
    if (n < 1024) return n + ' B';
    if (n < 1 << 20) return (n / 1024).toFixed(1) + ' KB';
    return (n / (1 << 20)).toFixed(1) + ' MB';
  }
  function fileLink(u) {
    try {
      const url = new URL(u, location.href);
      if (url.origin === location.origin && url.pathname.startsWith('/playground/files/')) return url.href;
    } catch (e) { /* not a URL */ }
    return null;
  }

  function renderMessage(m, cont) {
    const a = authorOf(m);
    const e = h('div', 'msg' + (cont ? ' cont' : '') + (m.ephemeral ? ' ephemeral' : '') + (m.system ? ' system' : ''));
    e.dataset.ts = m.ts;
    const gutter = h('div', 'gutter');
    if (cont) gutter.textContent = fmtTime(m.ts).replace(/\s?[AP]M$/i, '');
    else gutter.append(avatar(a));
    const body = h('div', 'body');
    if (!cont) {
      const meta = h('div', 'meta');
      meta.append(h('span', 'name', a.name));
      if (a.bot || a.system) meta.append(h('span', 'app-badge', 'APP'));
      meta.append(h('span', 'time', fmtTime(m.ts)));
      body.append(meta);
    }
    if (m.ephemeral) {
      const note = h('div', 'eph-note');
      note.append('Only visible to you');
      const d = h('button', 'dismiss', 'Dismiss');
      d.type = 'button';
      d.addEventListener('click', () => { S.dismissed.add(m.ts); renderMessages(); });
      note.append(' · ', d);
      body.append(note);
    }
    if (m.blocks && m.blocks.length) {
      body.append(renderBlocks(m.blocks, { kind: 'message', ts: m.ts }));
    } else if (m.text) {
      const t = h('div', 'text mrkdwn');
      t.append(mrkdwn(m.text));
      body.append(t);
    }
    if (m.edited && !a.bot) body.append(h('span', 'edited', '(edited)'));
    for (const f of m.files || []) {
      const card = h('div', 'file');
      card.append(h('div', 'file-icon', f.filetype || 'file'));
      const info = h('div', 'file-info');
      info.append(h('div', 'file-title', f.title || f.name), h('div', 'file-sub', (f.filetype || '').toUpperCase() + ' · ' + fmtSize(f.size)));
      card.append(info);
      const href = fileLink(f.url_private);
      if (href) {
        const dl = h('a', 'btn', 'Download');
        dl.href = href;
        dl.download = f.name;
        card.append(dl);
      }
      body.append(card);
    }
    e.append(gutter, body);
    return e;
  }

  function renderMessages() {
    const list = $('messages');
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
    const msgs = S.snap.messages.filter((m) => (!m.ephemeral || m.visible_to === S.user) && !S.dismissed.has(m.ts));
    const nodes = [];
    const cache = new Map();
    let prev = null;
    let lastDay = '';
    for (const m of msgs) {
      const day = fmtDay(m.ts);
      if (day !== lastDay) {
        const sep = h('div', 'day');
        sep.append(h('span', null, day));
        nodes.push(sep);
        lastDay = day;
        prev = null;
      }
      const who = authorOf(m).id;
      const cont = !!prev && prev.who === who && prev.eph === !!m.ephemeral && parseFloat(m.ts) - prev.t < 300;
      const sig = S.user + '|' + cont + '|' + JSON.stringify(m);
      let c = S.msgCache.get(m.ts);
      if (!c || c.sig !== sig) c = { sig, el: renderMessage(m, cont) };
      cache.set(m.ts, c);
      nodes.push(c.el);
      prev = { who, eph: !!m.ephemeral, t: parseFloat(m.ts) };
    }
    S.msgCache = cache;
    if (!msgs.length) {
      const e = h('div', 'empty');
      e.append(h('h2', null, 'This is the very beginning of #' + S.snap.channel.name));
      const p = h('p');
      p.append('Type ', h('code', null, '/cais-next'), ' below to see your firm’s next CAIS onboarding step.');
      e.append(p);
      nodes.push(e);
    }
    list.replaceChildren(...nodes);
    if (nearBottom || S.stickBottom) list.scrollTop = list.scrollHeight;
    S.stickBottom = false;
  }

  // ---------------------------------------------------------------- home
  function renderHome() {
    const root = $('home');
    const v = S.snap.homes && S.snap.homes[S.user];
    const key = v ? S.user + '|' + v.id + '|' + v.hash : S.user + '|none|' + S.homeLoading;
    if (key === S.homeKey) return;
    S.homeKey = key;
    if (!v) {
      root.replaceChildren(h('div', 'home-empty', S.homeLoading ? 'Opening Home…' : 'caisbot has not published a Home tab for you yet.'));
      return;
    }
    root.replaceChildren(renderBlocks(v.view.blocks, { kind: 'view', viewId: v.id, root: () => root }));
  }

  // ---------------------------------------------------------------- chrome
  function renderChrome() {
    const snap = S.snap;
    if (!snap.users.some((u) => u.id === S.user)) S.user = snap.users[0].id;
    const sel = $('user-switch');
    if (sel.options.length !== snap.users.length) {
      sel.replaceChildren(...snap.users.map((u) => { const o = h('option', null, u.name); o.value = u.id; return o; }));
    }
    sel.value = S.user;
    const me = userByID(S.user);
    const av = $('me-avatar');
    av.textContent = me.name.trim()[0].toUpperCase();
    av.style.background = colorFor(me.id);
    $('people').replaceChildren(...snap.users.map((u) => {
      const p = h('div', 'person' + (u.id === S.user ? ' me' : ''));
      p.append(h('span', 'presence'), avatar({ id: u.id, name: u.name }), h('span', null, u.name + (u.id === S.user ? ' (you)' : '')));
      return p;
    }));
    for (const id of ['nav-channel-name', 'channel-title', 'tab-channel-name']) $(id).textContent = snap.channel.name;
    $('composer').placeholder = 'Message #' + snap.channel.name + ' — try /cais-next';
    $('channel-sub').textContent = 'Acting as ' + me.name + ' · ' + snap.users.length + ' people and caisbot';
    $('channel-view').hidden = S.view !== 'channel';
    $('home-view').hidden = S.view !== 'home';
    $('nav-channel').classList.toggle('active', S.view === 'channel');
    $('nav-home').classList.toggle('active', S.view === 'home');
  }

  function renderActivity() {
    if ($('activity').hidden) return;
    const items = (S.snap.log || []).slice().reverse().map((e) => {
      const li = h('li', e.ok ? 'ok' : 'bad');
      li.append(
        h('span', 'a-time', new Date(e.time).toLocaleTimeString([], { hour12: false })),
        h('span', 'a-name', e.name + (e.ok ? '' : ' ✗')),
        h('span', 'a-kind', e.kind),
        h('span', 'a-detail', e.detail || (e.ok ? 'ok' : '')),
      );
      return li;
    });
    $('activity-list').replaceChildren(...items);
  }

  function render() {
    if (!S.snap) return; // not loaded yet: the first snapshot renders (a user switch before it only sets S.user)
    renderChrome();
    renderMessages();
    renderHome();
    renderModal();
    renderActivity();
  }

  // ---------------------------------------------------------------- server
  async function refresh() {
    if (S.fetching) { S.again = true; return; }
    S.fetching = true;
    try {
      const r = await fetch('/playground/state', { cache: 'no-store' });
      if (r.ok) {
        S.snap = await r.json();
        S.version = S.snap.version;
        render();
      }
    } catch (e) {
      setConn('down', 'offline');
    } finally {
      S.fetching = false;
      if (S.again) { S.again = false; refresh(); }
    }
  }

  let toastTimer = 0;
  function toast(text) {
    const t = $('toast');
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 6000);
  }

  async function post(action, body) {
    let out = { ok: false, error: 'no answer' };
    try {
      const r = await fetch('/playground/do/' + action, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      out = await r.json();
    } catch (e) {
      out = { ok: false, error: String(e) };
    }
    if (!out.ok && !out.shown) toast(out.error || 'failed');
    await refresh();
    return out;
  }

  function setConn(cls, text) {
    const c = $('conn');
    c.className = 'conn ' + cls;
    $('conn-text').textContent = text;
  }

  function connect() {
    if (!window.EventSource) {
      setConn('live', 'polling');
      setInterval(refresh, 2000);
      return;
    }
    const es = new EventSource('/playground/stream');
    es.onopen = () => setConn('live', 'live');
    es.onerror = () => setConn('down', 'reconnecting…');
    es.addEventListener('version', (e) => {
      setConn('live', 'live');
      if (Number(e.data) !== S.version) refresh();
    });
  }

  // ---------------------------------------------------------------- composer
  const SUGGEST = [
    ['', 'the card for your firm’s next step'],
    ['status', 'every step, who confirmed it and when'],
    ['history', 'the latest audit entries'],
    ['deadlines', 'deadlines and days left'],
    ['export', 'the audit trail as a CSV file'],
    ['verify', 'check the audit trail’s hash chain'],
    ['deadline', '<step> <YYYY-MM-DD> — set a target date (admin)'],
    ['announce', 'deadline announcements in this channel (admin)'],
    ['undo', 'reopen the latest confirmed step (admin)'],
    ['reset', 'start over (admin)'],
    ['help', 'what caisbot can do'],
  ];
  let suggestSel = 0;
  function suggestions(v) {
    if (!v.startsWith('/') || v.includes('\n')) return [];
    if (/^\/[\w-]*$/.test(v)) return '/cais-next'.startsWith(v) ? SUGGEST.slice(0, 1) : [];
    const m = /^\/cais-next (\S*)$/.exec(v);
    if (!m) return [];
    return SUGGEST.filter(([sub]) => sub && sub.startsWith(m[1]) && sub !== m[1]);
  }
  function renderSuggest() {
    const box = $('suggest');
    const items = suggestions($('composer').value);
    if (!items.length) { box.hidden = true; return; }
    suggestSel = Math.min(suggestSel, items.length - 1);
    box.replaceChildren(h('div', 'suggest-head', 'Commands matching'), ...items.map(([sub, desc], i) => {
      const b = h('button', 'suggest-item' + (i === suggestSel ? ' sel' : ''));
      b.type = 'button';
      b.append(h('span', 'cmd', '/cais-next' + (sub ? ' ' + sub : '')), h('span', 'desc', desc));
      b.addEventListener('mousedown', (e) => { e.preventDefault(); pick(sub); });
      return b;
    }));
    box.hidden = false;
  }
  function pick(sub) {
    const c = $('composer');
    c.value = '/cais-next ' + (sub ? sub + ' ' : '');
    c.focus();
    autosize();
    renderSuggest();
  }
  function autosize() {
    const c = $('composer');
    c.style.height = 'auto';
    c.style.height = Math.min(c.scrollHeight, 200) + 'px';
  }
  async function send(text) {
    text = text.trim();
    if (!text) return;
    S.stickBottom = true;
    await post('compose', { user: S.user, text });
  }

  function setView(v) {
    S.view = v;
    history.replaceState(null, '', v === 'home' ? '#home' : '#');
    if (v === 'home') openHome();
    if (S.snap) render();
    if (v === 'channel') $('composer').focus();
  }
  async function openHome() {
    S.homeLoading = true;
    if (S.snap) renderHome();
    await post('home', { user: S.user });
    S.homeLoading = false;
    if (S.snap) renderHome();
  }

  function init() {
    const c = $('composer');
    $('composer-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const text = c.value;
      c.value = '';
      autosize();
      renderSuggest();
      send(text);
    });
    c.addEventListener('keydown', (e) => {
      const items = suggestions(c.value);
      if (!$('suggest').hidden && items.length) {
        if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault();
          suggestSel = (suggestSel + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length;
          renderSuggest();
          return;
        }
        if (e.key === 'Tab') {
          e.preventDefault();
          pick(items[suggestSel][0]);
          return;
        }
      }
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        $('composer-form').requestSubmit();
      }
    });
    c.addEventListener('input', () => { suggestSel = 0; autosize(); renderSuggest(); });
    c.addEventListener('blur', () => { $('suggest').hidden = true; });
    for (const chip of document.querySelectorAll('.chip[data-fill]')) {
      chip.addEventListener('click', () => send(chip.dataset.fill));
    }
    $('user-switch').addEventListener('change', (e) => {
      S.user = e.target.value;
      localStorage.setItem('pg-user', S.user);
      S.modalKey = '';
      if (S.view === 'home') openHome();
      render();
    });
    $('nav-channel').addEventListener('click', () => setView('channel'));
    $('tab-channel').addEventListener('click', () => setView('channel'));
    $('nav-home').addEventListener('click', () => setView('home'));
    $('tab-home').addEventListener('click', () => setView('home'));
    $('activity-toggle').addEventListener('click', (e) => {
      const panel = $('activity');
      panel.hidden = !panel.hidden;
      e.currentTarget.setAttribute('aria-pressed', String(!panel.hidden));
      if (S.snap) renderActivity();
    });
    connect();
    refresh().then(() => {
      if (S.view === 'home') openHome();
      else c.focus();
    });
  }
  init();
})();
