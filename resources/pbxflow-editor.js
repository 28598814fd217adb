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

  /**
   * Picker on a comma-separated text input: completes the last entry from the PBX (users, devices, pilots) through
   * the connection node's admin endpoint. When the PBX cannot list them (not deployed, not connected, not
   * supported) nothing is offered and the field stays free text.
   */
  function lookupSearch(kind, connectionId) {
    return function (value, done) {
      var id = typeof connectionId === 'function' ? connectionId() : connectionId;
      if (!id || id === '_ADD_') return done([]);
      var parts = String(value || '').split(',');
      var last = parts.pop().replace(/^\s+/, '');
      var head = parts.length ? parts.join(',') + ', ' : '';
      $.getJSON('pbxflow/lookup/' + encodeURIComponent(id), { kind: kind, q: last }, function (res) {
        var items = (res && res.items) || [];
        done(items.map(function (it) {
          return { value: head + it.value, label: it.label ? it.value + ' (' + it.label + ')' : it.value };
        }));
      }).fail(function () { done([]); });
    };
  }

  function picker(input, kind, connectionId) {
    if (!input.length || typeof input.autoComplete !== 'function') return;
    input.autoComplete({ minLength: 0, search: lookupSearch(kind, connectionId) });
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
    picker($('#node-config-input-pilots'), 'pilots', node.id);
    picker($('#node-config-input-devices'), 'devices', node.id);
  }

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
    $('#node-input-user').typedInput({ default: 'str', types: [userText, 'msg', 'flow', 'global', 'env'], typeField: '#node-input-userType' });
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
    picker($('#node-input-userFilter'), 'users', function () { return $('#node-input-connection').val(); });
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
