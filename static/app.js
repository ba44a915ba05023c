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
