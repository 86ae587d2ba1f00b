// Slack mrkdwn and emoji shortcodes to DOM nodes. Text from the bot or the
// users only ever becomes text nodes, never HTML.
'use strict';
window.PG = window.PG || {};
(() => {
  const PG = window.PG;
  const h = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };

  PG.h = h;

  // Who is who, for mentions; app.js sets it:
  // {name(id) -> display name or null, me() -> user ID, channel(id) -> name or null}
  PG.people = PG.people || { name: () => null, me: () => '', channel: () => null };

  // ---------------------------------------------------------------- emoji
  const EMOJI = {
    white_check_mark: '✅', heavy_check_mark: '✔️', ballot_box_with_check: '☑️', x: '❌', negative_squared_cross_mark: '❎',
    warning: '⚠️', rotating_light: '🚨', exclamation: '❗', question: '❓', grey_question: '❔', information_source: 'ℹ️',
    calendar: '📆', date: '📅', spiral_calendar_pad: '🗓️', alarm_clock: '⏰', hourglass: '⌛', hourglass_flowing_sand: '⏳',
    stopwatch: '⏱️', clock9: '🕘', bell: '🔔', no_bell: '🔕', loudspeaker: '📢', mega: '📣',
    rocket: '🚀', tada: '🎉', checkered_flag: '🏁', dart: '🎯', star: '⭐', sparkles: '✨', fire: '🔥', zap: '⚡',
    large_green_circle: '🟢', green_circle: '🟢', red_circle: '🔴', large_blue_circle: '🔵', blue_circle: '🔵',
    white_circle: '⚪', black_circle: '⚫', large_yellow_circle: '🟡', yellow_circle: '🟡', large_orange_circle: '🟠',
    radio_button: '🔘', heavy_minus_sign: '➖', heavy_plus_sign: '➕', arrow_right: '➡️', arrow_forward: '▶️',
    point_right: '👉', leftwards_arrow_with_hook: '↩️', arrows_counterclockwise: '🔄', repeat: '🔁', recycle: '♻️',
    memo: '📝', pencil: '📝', pencil2: '✏️', page_facing_up: '📄', page_with_curl: '📃', clipboard: '📋', scroll: '📜',
    books: '📚', book: '📖', bookmark_tabs: '📑', card_index_dividers: '🗂️', file_folder: '📁', open_file_folder: '📂',
    inbox_tray: '📥', outbox_tray: '📤', package: '📦', receipt: '🧾', bar_chart: '📊', chart_with_upwards_trend: '📈',
    lock: '🔒', unlock: '🔓', key: '🔑', shield: '🛡️', closed_lock_with_key: '🔐', link: '🔗', mag: '🔍',
    bust_in_silhouette: '👤', busts_in_silhouette: '👥', office: '🏢', bank: '🏦', classical_building: '🏛️',
    handshake: '🤝', wave: '👋', thumbsup: '👍', '+1': '👍', thumbsdown: '👎', '-1': '👎', eyes: '👀', raised_hand: '✋',
    telephone_receiver: '📞', phone: '☎️', email: '📧', envelope: '✉️', e_mail: '📧', speech_balloon: '💬',
    pushpin: '📌', round_pushpin: '📍', gear: '⚙️', hammer_and_wrench: '🛠️', wrench: '🔧', construction: '🚧',
    no_entry: '⛔', no_entry_sign: '🚫', stop_sign: '🛑', robot_face: '🤖', moneybag: '💰', scales: '⚖️',
    one: '1️⃣', two: '2️⃣', three: '3️⃣', four: '4️⃣', five: '5️⃣', six: '6️⃣', seven: '7️⃣', eight: '8️⃣', nine: '9️⃣',
    keycap_ten: '🔟', new: '🆕', sos: '🆘', ok: '🆗', hourglass_done: '⌛', traffic_light: '🚥', vertical_traffic_light: '🚦',
    face_with_monocle: '🧐', thinking_face: '🤔', smile: '😄', slightly_smiling_face: '🙂', sweat_smile: '😅',
  };
  const emojify = (s) => s.replace(/:([a-z0-9_+-]+):/g, (m, n) => EMOJI[n] || m);
  const decode = (s) => s.replace(/&(lt|gt|amp);/g, (m, n) => ({ lt: '<', gt: '>', amp: '&' })[n]);
  PG.EMOJI = EMOJI;
  PG.emojify = emojify;

  // State icons drawn in CSS (style.css, .st-*), each with its word as
  // aria-label and tooltip: a browser without an emoji font (stock Debian
  // Chromium) would show the emoji as empty boxes.
  const STATE = { '✅': 'done', '➡': 'next', '⬜': 'open', '➖': 'not reached', '⚠': 'warning', '⏳': 'awaiting approval', '↩': 'sent back' };
  const STATE_RE = /(✅|➡\uFE0F?|⬜|➖|⚠\uFE0F?|⏳|↩\uFE0F?)/u;
  const stateIcons = (s) => s.split(STATE_RE).filter((x) => x !== '').map((x) => {
    const word = STATE[x.replace('\uFE0F', '')];
    if (!word) return document.createTextNode(x);
    const e = h('span', 'st st-' + word.replace(' ', '-'));
    e.setAttribute('role', 'img');
    e.setAttribute('aria-label', word);
    e.title = word;
    return e;
  });
  PG.stateIcons = stateIcons;
  PG.decode = decode;

  // ---------------------------------------------------------------- mrkdwn
  // Slack mrkdwn to DOM nodes: *bold*, _italic_, ~strike~, `code`, ```pre```,
  // > quotes, <url|text>, <@U…>, <#C…|name>, <!channel>, entities, newlines.
  function mrkdwn(text) {
    const frag = document.createDocumentFragment();
    const parts = String(text).split(/```/);
    parts.forEach((part, i) => {
      if (i % 2 === 1 && i < parts.length - 1) {
        frag.append(h('pre', null, decode(part.replace(/^\n/, ''))));
      } else {
        frag.append(lines(i % 2 === 1 ? '```' + part : part));
      }
    });
    return frag;
  }
  function lines(text) {
    const frag = document.createDocumentFragment();
    const ls = text.split('\n');
    let quote = null;
    ls.forEach((line, i) => {
      const q = /^(&gt;|>)\s?/.exec(line);
      if (q) {
        if (!quote) {
          quote = h('blockquote');
          frag.append(quote);
        } else {
          quote.append('\n');
        }
        quote.append(...inline(line.slice(q[0].length)));
        return;
      }
      if (quote) {
        quote = null;
      } else if (i > 0) {
        frag.append('\n');
      }
      frag.append(...inline(line));
    });
    return frag;
  }
  const WORD = /[\p{L}\p{N}]/u;
  // findClose finds the closing marker ch after start, skipping <…> and `…`.
  function findClose(s, start, ch) {
    for (let k = start; k < s.length; k++) {
      const c = s[k];
      if (c === '<') {
        const j = s.indexOf('>', k + 1);
        if (j > 0) { k = j; continue; }
      }
      if (c === '`' && ch !== '`') {
        const j = s.indexOf('`', k + 1);
        if (j > 0) { k = j; continue; }
      }
      if (c === ch && !/\s/.test(s[k - 1]) && (k + 1 >= s.length || !WORD.test(s[k + 1]))) return k;
    }
    return -1;
  }
  function inline(s) {
    const out = [];
    let buf = '';
    const flush = () => {
      if (buf) out.push(...stateIcons(emojify(decode(buf))));
      buf = '';
    };
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '<') {
        const j = s.indexOf('>', i + 1);
        if (j > i + 1) {
          flush();
          out.push(token(s.slice(i + 1, j)));
          i = j;
          continue;
        }
      } else if (c === '`') {
        const j = s.indexOf('`', i + 1);
        if (j > i + 1) {
          flush();
          out.push(h('code', null, decode(s.slice(i + 1, j))));
          i = j;
          continue;
        }
      } else if (c === '*' || c === '_' || c === '~') {
        const before = i === 0 ? ' ' : s[i - 1];
        const after = s[i + 1];
        if (!WORD.test(before) && after && !/\s/.test(after) && after !== c) {
          const j = findClose(s, i + 1, c);
          if (j > i + 1) {
            flush();
            const e = h(c === '*' ? 'b' : c === '_' ? 'i' : 's');
            e.append(...inline(s.slice(i + 1, j)));
            out.push(e);
            i = j;
            continue;
          }
        }
      }
      buf += c;
    }
    flush();
    return out;
  }
  function token(tok) {
    const bar = tok.indexOf('|');
    const target = bar >= 0 ? tok.slice(0, bar) : tok;
    const label = bar >= 0 ? decode(tok.slice(bar + 1)) : '';
    if (target[0] === '@') {
      const id = target.slice(1);
      return h('span', 'mention' + (id === PG.people.me() ? ' me' : ''), '@' + (PG.people.name(id) || label || id));
    }
    if (target[0] === '#') {
      return h('span', 'mention', '#' + (label || PG.people.channel(target.slice(1)) || target.slice(1)));
    }
    if (target[0] === '!') {
      const cmd = target.slice(1);
      if (cmd === 'channel' || cmd === 'here' || cmd === 'everyone') return h('span', 'broadcast', '@' + cmd);
      if (cmd.startsWith('subteam^')) return h('span', 'mention', label || '@team');
      if (cmd.startsWith('date^')) return document.createTextNode(label || cmd.split('^')[1] || '');
      return document.createTextNode(label || cmd);
    }
    const url = decode(target);
    if (/^(https?:|mailto:)/i.test(url)) {
      const a = h('a', null, emojify(label || url));
      a.href = url;
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      return a;
    }
    return document.createTextNode(label || url);
  }

  PG.mrkdwn = mrkdwn;
  PG.token = token;
})();
