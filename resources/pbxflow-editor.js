/*
 * pbxflow Node-RED editor helpers, shared by the action nodes (call, routing, messaging, directory, agent) and the
 * event node. Node-RED serves this package's resources/ folder to the editor, and each node's .html loads this
 * file with <script src="resources/@pbxflow/n8n-nodes-pbx/pbxflow-editor.js"> before its own registerType.
 * The definitions themselves (defaults, icon, color, inputs...) stay inline in each .html, an object literal in
 * RED.nodes.registerType('<type>', {...}), which is what the Flow Library scorecard (node-red-dev validate) reads;
 * their oneditprepare/oneditsave/label call in here for the behaviour.
 *
 * The operation lists, their fields and the event types come from the shared catalogue (GET pbxflow/operations,
 * served by the connection node), so the n8n and Node-RED UIs never drift. Browser code: plain ES5, no build step.
 */
(function () {
  'use strict';
  // Every node's .html includes this file; the first load wins (and keeps the catalogue cache).
  if (window.PbxflowEditor) return;

  var cache = null;
  var waiting = [];
  /** Calls cb with the catalogue ({ operations, eventTypes }), fetched once per editor session. */
  function catalogue(cb) {
    if (cache) return cb(cache);
    waiting.push(cb);
    if (waiting.length > 1) return;
    $.getJSON('pbxflow/operations', function (data) {
      cache = data;
      waiting.splice(0).forEach(function (fn) { fn(cache); });
    }).fail(function () {
      waiting.splice(0).forEach(function (fn) { fn({ operations: [], eventTypes: [], platforms: ['opentouch', 'o2g'] }); });
    });
  }

  /** Asks the deployed connection for a list: cb({ available, items: [{ value, label }], note }). */
  function fetchList(kind, connectionId, q, user, cb) {
    var id = typeof connectionId === 'function' ? connectionId() : connectionId;
    if (!id || id === '_ADD_') return cb({ available: false, items: [], note: 'Pick a connection first.' });
    var query = { kind: kind, q: q || '' };
    if (user) query.user = user;
    $.getJSON('pbxflow/lookup/' + encodeURIComponent(id), query, function (res) {
      cb({ available: !!(res && res.available), items: (res && res.items) || [], note: res && res.note });
    }).fail(function () { cb({ available: false, items: [], note: 'The list could not be loaded: type the value.' }); });
  }

  /** "alice, bo" -> { head: "alice, ", last: "bo" } (several values) or the whole text (one value). */
  function splitLast(value, several) {
    var text = String(value || '');
    if (!several) return { head: '', last: text.trim() };
    var parts = text.split(',');
    var last = parts.pop().replace(/^\s+/, '');
    return { head: parts.length ? parts.join(',') + ', ' : '', last: last };
  }

  /**
   * Completion while typing, on a comma-separated text input: the last entry from the PBX (users, devices, pilots)
   * through the connection node's admin endpoint. When the PBX cannot list them (not deployed, not reachable, not
   * supported) nothing is offered and the field stays free text.
   */
  function lookupSearch(kind, connectionId) {
    return function (value, done) {
      var v = splitLast(value, true);
      fetchList(kind, connectionId, v.last, '', function (res) {
        done(res.items.map(function (it) {
          return { value: v.head + it.value, label: it.label ? it.value + ' (' + it.label + ')' : it.value };
        }));
      });
    };
  }

  function picker(input, kind, connectionId) {
    if (!input.length || typeof input.autoComplete !== 'function') return;
    input.autoComplete({ minLength: 0, search: lookupSearch(kind, connectionId) });
  }

  /**
   * A list button beside a field: opens what the PBX lists (filtered by what is typed), with a line saying why when
   * the list is short; picking sets the value (adds it, on a field of several). Typing stays possible: it is a help.
   * o: { anchor (element the button follows), kind, connectionId(), several, get(), set(v), user() }
   */
  function listButton(o) {
    var button = $('<button type="button" class="red-ui-button pbxflow-list-button" style="margin-left:4px">')
      .attr('data-pbxflow-list', o.kind).attr('title', o.kind === 'devices' ? 'Devices from the PBX' : 'Choose from the PBX')
      .append($('<i class="fa fa-list-ul">'));
    o.anchor.after(button);
    button.on('click', function (e) {
      e.preventDefault();
      var v = splitLast(o.get(), o.several);
      var user = o.user ? o.user() : '';
      fetchList(o.kind, o.connectionId, v.last, user, function (found) {
        // A field that already holds a whole value shows the whole list, to change it.
        var whole = !o.several && v.last && found.items.every(function (it) { return it.value === v.last; });
        if (whole) fetchList(o.kind, o.connectionId, '', user, show);
        else show(found);
      });
      function show(res) {
        var options = res.items.map(function (it) {
          return { value: it.value, label: it.label ? it.value + ' \u2014 ' + it.label : it.value };
        });
        if (res.note || !options.length) {
          options.push({ label: $('<i class="pbxflow-list-note" style="white-space:normal">').text(res.note || 'Nothing to list: type the value.'), onselect: function () {} });
        }
        var menu = RED.popover.menu({
          options: options, class: 'pbxflow-list-menu', width: 320, maxHeight: 240,
          onselect: function (opt) {
            var value = opt.value;
            if (o.several) {
              var taken = v.head.split(',').map(function (x) { return x.trim(); }).filter(Boolean);
              value = taken.indexOf(opt.value) >= 0 ? taken.join(', ') : v.head + opt.value;
            }
            o.set(value);
          },
        });
        menu.show({ target: button, align: 'right' });
      }
    });
    return button;
  }

  /** The list button of a typed input whose text ("string") type is the value; another type gets the text type. */
  function typedListButton(input, kind, connectionId, user) {
    return listButton({
      // The typed input draws itself just after the (hidden) original input.
      anchor: input.next('.red-ui-typedInput-container').length ? input.next('.red-ui-typedInput-container') : input,
      kind: kind, connectionId: connectionId, user: user, several: false,
      get: function () { return input.typedInput('type') === 'str' ? input.typedInput('value') : ''; },
      set: function (v) { input.typedInput('type', 'str'); input.typedInput('value', v); input.trigger('change'); },
    });
  }

  /** A text input of several comma-separated values. */
  function textListButton(input, kind, connectionId) {
    return listButton({
      anchor: input, kind: kind, connectionId: connectionId, several: true,
      get: function () { return input.val(); },
      set: function (v) { input.val(v).trigger('change'); },
    });
  }

  /** Connection node oneditprepare: platforms the running build has, fields per platform, pickers. */
  function prepareConnection(node) {
    var select = $('#node-config-input-platform');
    var platform = function () { return select.val(); };
    var toggle = function () {
      var p = platform();
      $('.pbxflow-only').each(function () {
        var el = $(this);
        el.toggle(String(el.attr('data-platforms')).split(',').indexOf(p) >= 0);
      });
      var ale = p === 'opentouch' || p === 'o2g';
      $('.pbxflow-admin-only').toggle(ale && $('#node-config-input-sessionKind').val() === 'admin');
    };
    $('#node-config-input-sessionKind').on('change', toggle);
    select.on('change', toggle);
    toggle();
    catalogue(function (data) {
      var available = data.platforms || [];
      select.find('option').each(function () {
        var opt = $(this);
        // Only what this version can connect to; a platform saved by another version stays visible, marked.
        if (available.indexOf(opt.val()) < 0) {
          if (opt.val() === node.platform) opt.text(opt.text() + ' (not available in this version)').prop('disabled', true);
          else opt.remove();
        }
      });
      select.val(node.platform);
      toggle();
      select.attr('data-pbxflow-ready', 'true');
    });
    picker($('#node-config-input-monitoredUsers'), 'users', node.id);
    // The hint promises a list once deployed: the directory, even before any user is monitored.
    $('#node-config-input-monitoredUsers').css('width', '65%');
    textListButton($('#node-config-input-monitoredUsers'), 'users', node.id);
    picker($('#node-config-input-pilots'), 'pilots', node.id);
    picker($('#node-config-input-devices'), 'devices', node.id);
  }

  /** Operation fields that name a user of the PBX (Pick Up's ringing user, a message's recipient, Get User). */
  var USER_FIELDS = ['otherUser', 'to', 'login'];
  var RESOURCE_LABELS = { call: 'Call', routing: 'Routing', messaging: 'Messaging', callLog: 'Call log', directory: 'Directory', agent: 'Agent' };
  var DYNAMIC = ['msg', 'flow', 'global', 'env', 'jsonata'];
  /** What an untouched field does, in its own words: "msg.condition, else Always (Immediate)". */
  function defaultText(f) {
    var d = f.default;
    if (f.type === 'options') {
      for (var i = 0; i < (f.options || []).length; i++) if (f.options[i].value === d) d = f.options[i].name;
    }
    var shown = d === undefined || d === '' ? (f.required ? 'required' : 'none') : String(d);
    return 'msg.' + f.name + ', else ' + shown;
  }

  function typesFor(f) {
    var auto = { value: 'auto', label: defaultText(f), hasValue: false, icon: 'fa fa-envelope-o' };
    if (f.type === 'number') return ['num'].concat(DYNAMIC, [auto]);
    if (f.type === 'boolean') return [auto, 'bool'].concat(DYNAMIC);
    if (f.type === 'json') return ['json'].concat(DYNAMIC, [auto]);
    if (f.type === 'options') {
      return [auto, { value: 'option', label: 'value', options: f.options.map(function (o) { return { value: o.value, label: o.name }; }) }].concat(DYNAMIC);
    }
    return ['str'].concat(DYNAMIC, [auto]);
  }

  function defaultType(f) {
    return f.type === 'boolean' || f.type === 'options' ? 'auto' : f.type === 'number' ? 'num' : f.type === 'json' ? 'json' : 'str';
  }

  function findOp(ops, name) {
    for (var i = 0; i < ops.length; i++) if (ops[i].name === name) return ops[i];
    return ops[0];
  }

  function operationLabel(name) {
    if (!cache) return name;
    var op = findOp(cache.operations, name);
    return op && op.name === name ? op.displayName : name;
  }

  /**
   * Action node oneditprepare: fills #node-input-operation with the operations of o.resources (catalogue resources)
   * and renders one typed input per field of the chosen operation.
   */
  function prepareAction(node, o) {
    var resources = o.resources;
    // A text user completes from the PBX like the connection's Users field.
    var userText = { value: 'str', label: 'string', icon: 'red/images/typedInput/az.svg',
      autoComplete: lookupSearch('users', function () { return $('#node-input-connection').val(); }) };
    var connectionId = function () { return $('#node-input-connection').val(); };
    $('#node-input-user').typedInput({ default: 'str', types: [userText, 'msg', 'flow', 'global', 'env'], typeField: '#node-input-userType' });
    $('#node-input-user').typedInput('width', '65%');
    typedListButton($('#node-input-user'), 'users', connectionId);
    /** The User field's text, for the Device list (empty when taken from the message). */
    var actingUser = function () { return $('#node-input-user').typedInput('type') === 'str' ? $('#node-input-user').typedInput('value') : ''; };
    catalogue(function (data) {
      var ops = data.operations.filter(function (op) { return resources.indexOf(op.resource) >= 0; });
      node._pbxOps = ops;
      var select = $('#node-input-operation').empty();
      resources.forEach(function (r) {
        var group = resources.length > 1 ? $('<optgroup>').attr('label', RESOURCE_LABELS[r] || r).appendTo(select) : select;
        ops.filter(function (op) { return op.resource === r; }).forEach(function (op) {
          $('<option>').val(op.name).text(op.displayName).attr('title', op.description).appendTo(group);
        });
      });
      select.val(findOp(ops, node.operation).name);
      var render = function () {
        var op = findOp(ops, select.val());
        var box = $('#pbxflow-params').empty();
        $('#pbxflow-op-description').text(op.description + (op.platforms ? ' (' + op.platforms.join(', ') + ')' : ''));
        op.fields.forEach(function (f) {
          var row = $('<div class="form-row">').appendTo(box);
          $('<label>').attr('for', 'pbxflow-param-' + f.name).attr('title', f.description)
            .text(f.displayName + (f.required ? ' *' : '')).appendTo(row);
          var input = $('<input type="text" style="width:70%">').attr('id', 'pbxflow-param-' + f.name)
            .attr('placeholder', f.placeholder && f.placeholder.indexOf('{{') < 0 ? f.placeholder : '').appendTo(row);
          var saved = op.name === node.operation && node.params ? node.params[f.name] : null;
          input.typedInput({ types: typesFor(f), default: defaultType(f) });
          // Users and devices from the PBX beside the text (the same fields as n8n's pickers).
          var listKind = f.name === 'deviceId' ? 'devices' : USER_FIELDS.indexOf(f.name) >= 0 ? 'users' : '';
          if (listKind) {
            input.typedInput('width', '65%');
            typedListButton(input, listKind, connectionId, listKind === 'devices' ? actingUser : null);
          }
          if (saved) {
            input.typedInput('type', saved.t);
            input.typedInput('value', saved.v);
          } else if (f.type === 'options' || f.type === 'boolean') {
            input.typedInput('type', 'auto');
          }
          $('<div class="form-tips" style="margin-left:105px;margin-top:4px">').text(f.description).appendTo(box);
        });
      };
      select.on('change', render);
      render();
    });
  }

  /** Action node oneditsave: stores the chosen operation's field settings in node.params ({ field: { v, t } }). */
  function saveAction(node) {
    var ops = node._pbxOps || [];
    var op = findOp(ops, $('#node-input-operation').val());
    var params = {};
    if (op) {
      op.fields.forEach(function (f) {
        var el = $('#pbxflow-param-' + f.name);
        params[f.name] = { v: el.typedInput('value'), t: el.typedInput('type') };
      });
    }
    node.params = params;
    delete node._pbxOps;
  }

  /** Event node: one checkbox per catalogue event type in #pbxflow-event-types, ticked from node.eventTypes. */
  function prepareEventTypes(node) {
    var connectionId = function () { return $('#node-input-connection').val(); };
    picker($('#node-input-userFilter'), 'users', connectionId);
    $('#node-input-userFilter').css('width', '65%');
    textListButton($('#node-input-userFilter'), 'users', connectionId);
    var box = $('#pbxflow-event-types').empty();
    catalogue(function (data) {
      (data.eventTypes || []).forEach(function (t) {
        var id = 'pbxflow-type-' + t.replace(/\./g, '-');
        var item = $('<label style="display:inline-block;width:48%;margin:0">').appendTo(box);
        $('<input type="checkbox" style="width:auto;margin:0 6px 0 0;vertical-align:baseline">').attr('id', id).val(t)
          .prop('checked', (node.eventTypes || []).indexOf(t) >= 0).appendTo(item);
        $('<span>').text(t).appendTo(item);
      });
    });
  }

  function saveEventTypes(node) {
    var checked = [];
    $('#pbxflow-event-types input:checked').each(function () { checked.push($(this).val()); });
    node.eventTypes = checked;
  }

  window.PbxflowEditor = {
    catalogue: catalogue,
    prepareConnection: prepareConnection,
    operationLabel: operationLabel,
    prepareAction: prepareAction,
    saveAction: saveAction,
    prepareEventTypes: prepareEventTypes,
    saveEventTypes: saveEventTypes,
  };
})();
