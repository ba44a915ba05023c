// gongshi 公示 — progressive enhancement only: every page works without this file.
//
// Search boxes marked data-suggest become an accessible combobox (WAI-ARIA 1.2 pattern):
// suggestions from /api/v1/suggest, debounced, with arrow keys, Enter and Escape, and no
// requests while an input method is composing (拼音输入法 sends many intermediate strings).
(function () {
  'use strict';

  var DEBOUNCE_MS = 150;

  function setupCombobox(input, n) {
    var combo = input.parentNode;
    var listId = (input.id || 'q' + n) + '-listbox';
    var list = document.createElement('ul');
    list.id = listId;
    list.className = 'suggestions';
    list.setAttribute('role', 'listbox');
    list.setAttribute('aria-label', '企业名称建议');
    list.hidden = true;
    combo.appendChild(list);

    var status = document.createElement('div');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    combo.appendChild(status);

    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-expanded', 'false');
    input.setAttribute('aria-controls', listId);

    var items = [];
    var active = -1;
    var timer = 0;
    var composing = false;
    var controller = null;
    var shownFor = null;

    function close() {
      list.hidden = true;
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }

    function open() {
      if (!items.length) return;
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
    }

    function highlight(i) {
      var opts = list.children;
      for (var k = 0; k < opts.length; k++) {
        opts[k].setAttribute('aria-selected', k === i ? 'true' : 'false');
      }
      active = i;
      if (i >= 0) {
        input.setAttribute('aria-activedescendant', opts[i].id);
        opts[i].scrollIntoView({ block: 'nearest' });
      } else {
        input.removeAttribute('aria-activedescendant');
      }
    }

    function render(suggestions) {
      items = suggestions;
      list.textContent = '';
      active = -1;
      input.removeAttribute('aria-activedescendant');
      suggestions.forEach(function (s, i) {
        var li = document.createElement('li');
        li.id = listId + '-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.dataset.index = String(i);
        li.appendChild(document.createTextNode(s.name));
        var code = document.createElement('span');
        code.className = 's-code';
        code.textContent = s.code;
        li.appendChild(code);
        list.appendChild(li);
      });
      if (suggestions.length) {
        open();
        status.textContent = '有 ' + suggestions.length + ' 条建议，可用上下方向键选择，回车打开。';
      } else {
        close();
        status.textContent = '';
      }
    }

    var leaving = false;

    function choose(i) {
      var s = items[i];
      if (!s) return;
      close();
      leaving = true;
      input.value = s.name;
      window.location.href = '/entities/' + encodeURIComponent(s.code);
    }

    // Some keyboards and tools send Enter's character even when keydown was cancelled:
    // the form must not submit over the chosen company's page.
    window.addEventListener('pageshow', function () { leaving = false; }); // back from the cache
    if (input.form) {
      input.form.addEventListener('submit', function (e) {
        if (leaving) e.preventDefault();
      });
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === shownFor) {
        open();
        return;
      }
      if (controller) controller.abort();
      if (!q) {
        shownFor = q;
        render([]);
        return;
      }
      controller = typeof AbortController === 'function' ? new AbortController() : null;
      fetch('/api/v1/suggest?q=' + encodeURIComponent(q), {
        headers: { Accept: 'application/json' },
        signal: controller ? controller.signal : undefined
      }).then(function (res) {
        return res.ok ? res.json() : { suggestions: [] };
      }).then(function (data) {
        if (input.value.trim() !== q || composing) return; // the user typed on
        shownFor = q;
        render((data && data.suggestions) || []);
      }).catch(function () { /* aborted or offline: the form still submits */ });
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
    }

    input.addEventListener('compositionstart', function () {
      composing = true;
      clearTimeout(timer);
    });
    input.addEventListener('compositionend', function () {
      composing = false;
      schedule();
    });
    input.addEventListener('input', function (e) {
      if (composing || e.isComposing) return;
      schedule();
    });
    input.addEventListener('keydown', function (e) {
      if (composing || e.isComposing || e.keyCode === 229) return;
      switch (e.key) {
        case 'ArrowDown':
          e.preventDefault();
          if (list.hidden) {
            if (items.length && shownFor === input.value.trim()) {
              open();
              highlight(0);
            } else {
              fetchSuggestions();
            }
          } else {
            highlight(active + 1 >= items.length ? 0 : active + 1);
          }
          break;
        case 'ArrowUp':
          if (!list.hidden) {
            e.preventDefault();
            highlight(active <= 0 ? items.length - 1 : active - 1);
          }
          break;
        case 'Enter':
          if (!list.hidden && active >= 0) {
            e.preventDefault();
            choose(active);
          }
          break;
        case 'Escape':
          if (!list.hidden) {
            e.preventDefault();
            close();
          }
          break;
        case 'Tab':
          close();
          break;
      }
    });
    input.addEventListener('blur', function () {
      setTimeout(close, 100);
    });
    // Keep focus in the input while an option is clicked.
    list.addEventListener('mousedown', function (e) { e.preventDefault(); });
    list.addEventListener('click', function (e) {
      var li = e.target.closest('li[role="option"]');
      if (li) choose(Number(li.dataset.index));
    });
  }

  function init() {
    var inputs = document.querySelectorAll('input[data-suggest]');
    for (var i = 0; i < inputs.length; i++) setupCombobox(inputs[i], i);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();

// Batch screening (/screen, issue 8). Without script the form posts and the server answers
// with a results page. With script, "开始筛查" streams the results as JSON Lines from
// /api/v1/screen?format=jsonl and shows them as they arrive, with a progress bar and a polite
// live region; the download buttons stay ordinary form posts (the server sends a file).
(function () {
  'use strict';

  var MAX_ROWS = 1000; // as the server-rendered page: the downloads hold every result
  var ANNOUNCE_MS = 1500; // screen readers hear progress at most this often

  var STATUS = { matched: '已匹配', ambiguous: '多个候选', not_found: '未找到', invalid_code: '代码无效' };
  var BY = {
    exact_code: '统一社会信用代码', normalised_code: '代码（经规范化）', reg_no: '注册号', org_code: '组织机构代码',
    exact_name: '名称一致', former_name: '曾用名', close_name: '名称相近'
  };
  var WARN = {
    name_mismatch: '名称与代码不符', code_not_found: '代码未找到，按名称匹配', check_digit: '代码校验位错误',
    not_in_register: '不在登记信息中'
  };
  var FLAG = {
    blacklist: '严重违法失信名单', abnormal: '经营异常名录', dishonest_debtor: '失信被执行人',
    penalties: '行政处罚', redlist: '守信红名单', objection: '异议处理中'
  };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function sub(parent, text, cls) {
    if (text) parent.appendChild(el('span', 'sub' + (cls ? ' ' + cls : ''), text));
  }

  // listText mirrors the server's wording: 是（2024-03-01 列入，2026-05-01 移出） / 否（… 已移出） / 否.
  function listText(l, verb) {
    if (!l) return '';
    var i, e;
    if (l.listed) {
      for (i = 0; l.entries && i < l.entries.length; i++) {
        e = l.entries[i];
        if (e.in_force && e.list_date === l.since) {
          return '是（' + e.list_date + ' ' + verb + (e.removal_date ? '，' + e.removal_date + ' 移出' : '') + '）';
        }
      }
      return '是';
    }
    var last = '';
    for (i = 0; l.entries && i < l.entries.length; i++) {
      e = l.entries[i];
      if (!e.in_force && e.removal_date > last) last = e.removal_date;
    }
    return last ? '否（' + last + ' 已移出）' : '否';
  }

  function badges(f) {
    var out = [];
    function list(l, cls, label, verb) {
      if (!l) return;
      var t = listText(l, verb);
      if (l.listed) out.push(['badge badge-' + cls, label + t.slice(1)]);
      else if (t !== '否') out.push(['badge badge-history', '曾列入' + label + t.slice(1)]);
    }
    if (!f) return out;
    list(f.blacklist, 'blacklist', '严重违法失信', '列入');
    list(f.abnormal, 'abnormal', '经营异常', '列入');
    list(f.dishonest_debtor, 'debtor', '失信被执行人', '发布');
    var p = f.penalties;
    if (p && p.count > 0) {
      out.push(['badge badge-penalty', '行政处罚 ' + p.count + ' 次（最近 ' + p.latest + (p.most_severe ? '，最重：' + p.most_severe : '') + '）']);
    }
    if (f.redlist && f.redlist.listed) {
      out.push(['badge badge-redlist', '守信红名单' + (f.redlist.years ? '（' + f.redlist.years.join('、') + ' 年度）' : '')]);
    }
    if (f.objection && f.objection.pending) out.push(['badge badge-objection', '异议处理中（' + f.objection.since + ' 起）']);
    return out;
  }

  function entityLink(e) {
    var a = el('a', '', e.name);
    a.href = '/entities/' + encodeURIComponent(e.code);
    return a;
  }

  function row(r) {
    var tr = el('tr', 'screen-row screen-' + r.status);
    var td = el('td', 'n', String(r.line));
    td.setAttribute('data-label', '行');
    tr.appendChild(td);

    td = el('td');
    td.setAttribute('data-label', '输入');
    if (r.input.code) td.appendChild(el('span', 'code', r.input.code));
    sub(td, r.input.name);
    tr.appendChild(td);

    td = el('td');
    td.setAttribute('data-label', '结果');
    td.appendChild(el('span', 'screen-status screen-status-' + r.status, STATUS[r.status] || r.status));
    sub(td, BY[r.matched_by]);
    if (r.score > 0 && r.score < 1) sub(td, '相似度 ' + r.score.toFixed(2));
    tr.appendChild(td);

    td = el('td');
    td.setAttribute('data-label', '匹配主体');
    if (r.entity) {
      td.appendChild(entityLink(r.entity));
      sub(td, r.entity.code, 'code');
      sub(td, r.entity.status);
    }
    if (r.candidates && r.candidates.length) {
      var ul = el('ul', 'screen-cands');
      ul.setAttribute('aria-label', '候选主体');
      r.candidates.forEach(function (c) {
        var li = el('li');
        li.appendChild(entityLink(c));
        li.appendChild(document.createTextNode(' '));
        li.appendChild(el('span', 'code', c.code));
        if (c.score) li.appendChild(document.createTextNode(' · 相似度 ' + c.score.toFixed(2)));
        if (c.flagged && c.flagged.length) {
          li.appendChild(document.createTextNode(' · '));
          li.appendChild(el('strong', '', c.flagged.map(function (f) { return FLAG[f] || f; }).join('、')));
        }
        ul.appendChild(li);
      });
      td.appendChild(ul);
    }
    tr.appendChild(td);

    td = el('td');
    td.setAttribute('data-label', '信用标记');
    if (r.entity) {
      var bs = badges(r.flags);
      if (bs.length) {
        var bl = el('ul', 'badges');
        bs.forEach(function (b) { bl.appendChild(el('li', b[0], b[1])); });
        td.appendChild(bl);
      } else {
        sub(td, '未发现所选信用标记');
      }
    }
    tr.appendChild(td);

    td = el('td', '', r.explanation_zh);
    td.setAttribute('data-label', '说明');
    if (r.warnings) sub(td, r.warnings.map(function (w) { return WARN[w] || w; }).join('；'), 'screen-warn');
    tr.appendChild(td);
    return tr;
  }

  var SUMMARY = [
    ['matched', '已匹配', 'ok'], ['ambiguous', '多个候选', 'warn'], ['not_found', '未找到', 'warn'], ['invalid', '代码无效', 'bad'],
    ['on_blacklist', '严重违法失信名单', 'blacklist'], ['on_abnormal', '经营异常名录', 'abnormal'],
    ['dishonest_debtor', '失信被执行人', 'debtor'], ['with_penalties', '有行政处罚', 'penalty'],
    ['on_redlist', '守信红名单', 'redlist'], ['objection_pending', '异议处理中', 'objection'], ['name_mismatch', '名称与代码不符', 'bad']
  ];

  function summaryList(s) {
    var ul = el('ul', 'screen-summary');
    ul.setAttribute('aria-label', '结果汇总');
    SUMMARY.forEach(function (k) {
      var li = el('li', 'sum-' + k[2]);
      li.appendChild(el('span', 'n', String(s[k[0]] || 0)));
      li.appendChild(document.createTextNode(' ' + k[1]));
      ul.appendChild(li);
    });
    return ul;
  }

  function table() {
    var wrap = el('div', 'table-wrap');
    var t = el('table', 'records screen-table');
    var cap = el('caption', 'visually-hidden', '逐条筛查结果');
    t.appendChild(cap);
    var head = el('thead');
    var tr = el('tr');
    ['行', '输入', '结果', '匹配主体', '信用标记', '说明'].forEach(function (h) {
      var th = el('th', '', h);
      th.setAttribute('scope', 'col');
      tr.appendChild(th);
    });
    head.appendChild(tr);
    t.appendChild(head);
    var body = el('tbody');
    t.appendChild(body);
    wrap.appendChild(t);
    return { wrap: wrap, body: body };
  }

  function setup(form) {
    var section = document.getElementById('screen-results');
    var live = document.getElementById('screen-live');
    var area = document.getElementById('screen-body');
    var submit = document.getElementById('screen-submit');
    var running = null;

    function notice(cls, text) {
      var d = el('div', 'notice ' + cls);
      d.setAttribute('role', cls === 'notice-error' ? 'alert' : 'status');
      d.appendChild(el('p', '', text));
      return d;
    }

    function run() {
      if (running) running.abort();
      var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
      running = ctrl;
      var old = document.getElementById('screen-error');
      if (old) old.remove();
      section.hidden = false;
      area.textContent = '';
      live.textContent = '正在上传名单…';
      var progress = el('progress', 'screen-progress');
      progress.setAttribute('aria-label', '筛查进度');
      area.appendChild(progress);
      var summaryHolder = el('div');
      area.appendChild(summaryHolder);
      var tbl = table();
      var more = el('p', 'notice notice-warn');
      more.hidden = true;
      area.appendChild(more);
      area.appendChild(tbl.wrap);
      submit.disabled = true;

      var total = 0, done = 0, lastAnnounce = 0, asOf = '';
      function announce(force) {
        var now = Date.now();
        if (!force && now - lastAnnounce < ANNOUNCE_MS) return;
        lastAnnounce = now;
        live.textContent = '正在筛查：已完成 ' + done + ' / ' + total + ' 条。';
      }
      function handle(obj) {
        if (obj.error) {
          area.insertBefore(notice('notice-error', obj.error.message_zh || obj.error.message), area.firstChild);
          return;
        }
        if (obj.summary) {
          summaryHolder.appendChild(summaryList(obj.summary));
          return;
        }
        if (obj.status === undefined && obj.count !== undefined) {
          total = obj.count;
          asOf = obj.as_of;
          progress.max = total;
          progress.value = 0;
          announce(true);
          return;
        }
        done++;
        progress.value = done;
        if (done <= MAX_ROWS) {
          tbl.body.appendChild(row(obj));
        } else {
          more.hidden = false;
          more.textContent = '页面只显示前 ' + MAX_ROWS + ' 条；全部结果请用上方按钮下载 CSV 或 Excel。';
        }
        announce(false);
      }

      var body = new FormData(form);
      fetch('/api/v1/screen?format=jsonl', {
        method: 'POST', body: body, headers: { Accept: 'application/x-ndjson' },
        signal: ctrl ? ctrl.signal : undefined
      }).then(function (res) {
        if (!res.ok) {
          return res.json().catch(function () { return {}; }).then(function (data) {
            var msg = (data && data.error && (data.error.message_zh || data.error.message)) || ('请求失败（' + res.status + '）');
            throw new Error(msg);
          });
        }
        var reader = res.body.getReader();
        var decoder = new TextDecoder();
        var buf = '';
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) {
              if (buf.trim()) handle(JSON.parse(buf));
              return;
            }
            buf += decoder.decode(chunk.value, { stream: true });
            var nl;
            while ((nl = buf.indexOf('\n')) >= 0) {
              var line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (line.trim()) handle(JSON.parse(line));
            }
            return pump();
          });
        }
        return pump();
      }).then(function () {
        progress.remove();
        live.textContent = '筛查完成：共 ' + done + ' 条，信息日期 ' + asOf + '。';
      }).catch(function (err) {
        if (err && err.name === 'AbortError') return;
        progress.remove();
        live.textContent = '';
        area.insertBefore(notice('notice-error', (err && err.message) || '网络错误，请重试。'), area.firstChild);
      }).then(function () {
        if (running === ctrl) running = null;
        submit.disabled = false;
      });
    }

    form.addEventListener('submit', function (e) {
      var by = e.submitter;
      if (by && by.name === 'format' && by.value !== 'html') return; // a download: the server sends a file
      e.preventDefault();
      run();
    });
  }

  function init() {
    var form = document.getElementById('screen-form');
    if (!form || typeof fetch !== 'function' || typeof TextDecoder !== 'function' || typeof FormData !== 'function') return;
    setup(form);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
})();
