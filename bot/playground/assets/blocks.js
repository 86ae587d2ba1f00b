// Block Kit to DOM: header, section (text, fields, accessory), context,
// divider, actions (buttons), input (plain_text_input, datepicker), image, rich_text.
// Clicks go to PG.onButton, which app.js sets.
'use strict';
window.PG = window.PG || {};
(() => {
  const PG = window.PG;
  const { h, emojify, mrkdwn, token, EMOJI } = PG;

  // ---------------------------------------------------------------- blocks
  function textObj(t, cls) {
    if (!t) return h('span');
    if (t.type === 'mrkdwn') {
      const e = h('span', 'mrkdwn' + (cls ? ' ' + cls : ''));
      e.append(mrkdwn(t.text || ''));
      return e;
    }
    return h('span', 'text' + (cls ? ' ' + cls : ''), plain(t));
  }
  const plain = (t) => (t ? (t.emoji === false ? t.text : emojify(t.text || '')) : '');

  // ctx: {kind: 'message', ts} or {kind: 'view', viewId, root}
  function renderBlocks(blocks, ctx) {
    const wrap = h('div', 'blocks');
    for (const b of blocks || []) wrap.append(renderBlock(b, ctx));
    return wrap;
  }
  function renderBlock(b, ctx) {
    switch (b.type) {
      case 'header':
        return h('div', 'blk-header', plain(b.text));
      case 'section': {
        const e = h('div', 'blk-section');
        const main = h('div', 'sec-main');
        if (b.text) main.append(textObj(b.text));
        if (b.fields && b.fields.length) {
          const g = h('div', 'blk-fields');
          for (const f of b.fields) g.append(textObj(f));
          main.append(g);
        }
        e.append(main);
        if (b.accessory) {
          const acc = h('div', 'sec-accessory');
          acc.append(renderElement(b.accessory, b.block_id, ctx));
          e.append(acc);
        }
        return e;
      }
      case 'context': {
        const e = h('div', 'blk-context');
        for (const el of b.elements || []) {
          if (el.type === 'image') e.append(h('span', null, '🖼 ' + (el.alt_text || '')));
          else e.append(textObj(el));
        }
        return e;
      }
      case 'divider':
        return h('hr', 'blk-divider');
      case 'actions': {
        const e = h('div', 'blk-actions');
        for (const el of b.elements || []) e.append(renderElement(el, b.block_id, ctx));
        return e;
      }
      case 'input':
        return renderInput(b);
      case 'image':
        return h('div', 'blk-image', '🖼 ' + (b.title ? plain(b.title) + ' — ' : '') + (b.alt_text || 'image'));
      case 'rich_text':
        return renderRichText(b);
      default:
        return h('div', 'blk-unsupported', '[' + b.type + ' block: not shown in the playground]');
    }
  }
  function renderRichText(b) {
    const e = h('div', 'mrkdwn');
    for (const sec of b.elements || []) {
      for (const el of sec.elements || []) {
        if (el.type === 'text') {
          const s = el.style || {};
          let n = document.createTextNode(el.text);
          for (const [k, tag] of [['code', 'code'], ['bold', 'b'], ['italic', 'i'], ['strike', 's']]) {
            if (s[k]) { const w = h(tag); w.append(n); n = w; }
          }
          e.append(n);
        } else if (el.type === 'link') e.append(token(el.url + (el.text ? '|' + el.text : '')));
        else if (el.type === 'user') e.append(token('@' + el.user_id));
        else if (el.type === 'emoji') e.append(EMOJI[el.name] || ':' + el.name + ':');
        else if (el.type === 'broadcast') e.append(token('!' + el.range));
      }
      e.append('\n');
    }
    return e;
  }
  function renderElement(el, blockId, ctx) {
    if (el.type !== 'button') {
      if (el.type === 'image') return h('span', 'blk-context', '🖼 ' + (el.alt_text || ''));
      return h('span', 'blk-unsupported', '[' + el.type + ']');
    }
    const btn = h('button', 'btn' + (el.style === 'primary' || el.style === 'danger' ? ' ' + el.style : ''), plain(el.text));
    btn.type = 'button';
    btn.dataset.actionId = el.action_id || '';
    btn.dataset.blockId = blockId || '';
    if (el.url) btn.title = el.url;
    btn.addEventListener('click', () => PG.onButton(el, blockId, ctx, btn));
    return btn;
  }
  function renderInput(b) {
    const e = h('div', 'blk-input');
    e.dataset.blockId = b.block_id;
    const id = 'in-' + b.block_id;
    const label = h('label', null, plain(b.label));
    label.htmlFor = id;
    if (b.optional) label.append(' ', h('span', 'optional', '(optional)'));
    e.append(label);
    const el = b.element || {};
    if (el.type === 'plain_text_input') {
      const f = h(el.multiline ? 'textarea' : 'input');
      if (!el.multiline) f.type = 'text';
      f.id = id;
      f.dataset.actionId = el.action_id;
      if (el.placeholder) f.placeholder = plain(el.placeholder);
      if (el.initial_value) f.value = el.initial_value;
      e.append(f);
    } else if (el.type === 'datepicker') {
      // Slack's datepicker submits selected_date as YYYY-MM-DD, which is
      // what a date input's value is.
      const f = h('input');
      f.type = 'date';
      f.id = id;
      f.dataset.actionId = el.action_id;
      if (el.initial_date) f.value = el.initial_date;
      e.append(f);
    } else {
      e.append(h('span', 'blk-unsupported', '[' + el.type + ' input: not supported in the playground]'));
    }
    if (b.hint) e.append(h('div', 'hint', plain(b.hint)));
    const err = h('div', 'field-error');
    err.hidden = true;
    e.append(err);
    return e;
  }
  function collectValues(root) {
    const values = {};
    if (!root) return values;
    for (const f of root.querySelectorAll('.blk-input [data-action-id]')) {
      const bid = f.closest('.blk-input').dataset.blockId;
      (values[bid] = values[bid] || {})[f.dataset.actionId] = f.value;
    }
    return values;
  }


  Object.assign(PG, { textObj, plain, renderBlocks, collectValues });
})();
