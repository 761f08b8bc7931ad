// Plaudit's API documentation: renders openapi.json (the contract) for a person to read.
// No dependencies and no eval, so it runs under the page's strict Content-Security-Policy; spec
// text only ever becomes text nodes (never innerHTML), so a description cannot inject markup.
(() => {
  'use strict';

  const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
  const SCHEMAS = '#/components/schemas/';
  let spec = {};

  /** An element; string children become text nodes, arrays are flattened, null is skipped. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of entries(attrs)) if (value != null) el.setAttribute(name, value);
    el.append(...children.flat(Infinity).filter((child) => child != null && child !== false));
    return el;
  }

  const join = (parts, separator) => parts.flatMap((part, i) => (i ? [separator, part] : [part]));
  const json = (value, indent) =>
    typeof value === 'string' ? value : JSON.stringify(value, null, indent);
  const code = (value) => h('code', null, json(value));
  const link = (href, ...text) => h('a', { href }, text);
  const words = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const badge = (text) => h('span', { class: `badge ${text}` }, text);
  const entries = (object) => Object.entries(object || {});
  const methodBadge = (method) => h('span', { class: `method ${method}` }, method.toUpperCase());

  /** A section named by its heading, so that it is a landmark screen readers can list. */
  const region = (heading, id, title, kind, ...children) =>
    h('section', { id, class: kind, 'aria-labelledby': `${id}-title` },
      h(heading, { id: `${id}-title` }, title), children);

  // $ref

  function pointer(ref) {
    if (!ref?.startsWith('#/')) return undefined;
    const unescape = (key) => decodeURIComponent(key).replace(/~1/g, '/').replace(/~0/g, '~');
    return ref.slice(2).split('/').map(unescape).reduce((node, key) => node?.[key], spec);
  }

  /** A parameter, response, header... with its $ref followed; siblings of $ref win (3.1). */
  function deref(object, seen = new Set()) {
    if (!object?.$ref || seen.has(object.$ref)) return object || {};
    seen.add(object.$ref);
    const { $ref, ...siblings } = object;
    return { ...deref(pointer($ref), seen), ...siblings };
  }

  const schemaName = (s) =>
    s?.$ref?.startsWith(SCHEMAS) ? decodeURIComponent(s.$ref.slice(SCHEMAS.length)) : null;
  const schemaLink = (name) => link(`#schema-${encodeURIComponent(name)}`, name);

  /** The schema with its $ref followed and its allOf parts merged into one. */
  function merged(schema, seen = new Set()) {
    if (schema?.$ref) {
      if (seen.has(schema.$ref)) return {};
      seen.add(schema.$ref);
      return merged(pointer(schema.$ref), seen);
    }
    if (!schema?.allOf) return schema && typeof schema === 'object' ? schema : {};
    const { allOf, ...own } = schema;
    const out = { ...own, properties: { ...own.properties }, required: [...(own.required || [])] };
    for (const part of allOf.map((p) => merged(p, seen))) {
      Object.assign(out.properties, part.properties);
      out.required.push(...(part.required || []));
      for (const key of Object.keys(part)) if (!(key in out)) out[key] = part[key];
    }
    return out;
  }

  const isObject = (schema) => Object.keys(merged(schema).properties || {}).length > 0;

  // Markdown: paragraphs, lists, fenced code, `code`, **bold**, [links](url)

  function markdown(text) {
    const blocks = [];
    const lines = String(text ?? '').split(/\r?\n/);
    let paragraph = [];
    let list = null;
    const flush = () => {
      if (paragraph.length) blocks.push(h('p', null, inline(paragraph.join(' '))));
      paragraph = [];
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const fence = line.match(/^\s*(```|~~~)/);
      const item = line.match(/^\s*(?:([-*+])|\d+[.)])\s+(.*)$/);
      if (fence) {
        const body = [];
        while (++i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i]);
        flush();
        blocks.push(h('pre', null, h('code', null, body.join('\n'))));
        list = null;
      } else if (item) {
        flush();
        const tag = item[1] ? 'UL' : 'OL';
        if (list?.tagName !== tag) blocks.push((list = h(tag)));
        list.append(h('li', null, inline(item[2])));
      } else if (list && /^\s+\S/.test(line)) {
        list.lastChild.append(' ', ...inline(line.trim())); // an item's continuation line
      } else if (line.trim()) {
        list = null;
        paragraph.push(line.trim());
      } else {
        flush();
        list = null;
      }
    }
    flush();
    return blocks;
  }

  function inline(text) {
    const nodes = [];
    const pattern = /`([^`]+)`|\*\*(.+?)\*\*|\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/g;
    let last = 0;
    for (let m; (m = pattern.exec(text)); last = pattern.lastIndex) {
      nodes.push(text.slice(last, m.index));
      if (m[1] != null) nodes.push(h('code', null, m[1]));
      else if (m[2] != null) nodes.push(h('strong', null, inline(m[2])));
      // Only web links and anchors: a javascript: URL in the spec stays text.
      else nodes.push(/^(https?:|mailto:|#|\/)/i.test(m[4]) ? link(m[4], inline(m[3])) : m[3]);
    }
    nodes.push(text.slice(last));
    return nodes;
  }

  const prose = (text) => (text ? h('div', { class: 'prose' }, markdown(text)) : null);

  // Schemas

  /** "string", "integer or null", "array of Rating" (a link)... */
  function typeOf(s) {
    if (s == null || s === true) return ['any'];
    if (schemaName(s)) return [schemaLink(schemaName(s))];
    if ('const' in s) return [code(s.const)];
    for (const [key, word] of [['allOf', ' and '], ['oneOf', ' or '], ['anyOf', ' or ']]) {
      if (s[key]) return join(s[key].map(typeOf), word);
    }
    const given = [].concat(s.type ?? (s.properties ? 'object' : s.items ? 'array' : 'any'));
    const parts = given.filter((type) => type !== 'null').map((type) => {
      if (type === 'array' && s.items) return ['array of ', typeOf(s.items)];
      return s.format ? `${type} (${s.format})` : type;
    });
    if (given.includes('null') || s.nullable) parts.push('null');
    return join(parts, ' or ');
  }

  function range(min, max, unit = '') {
    if (min != null && min === max) return `exactly ${min}${unit}`;
    if (min != null && max != null) return `${min} to ${max}${unit}`;
    return min != null ? `at least ${min}${unit}` : `at most ${max}${unit}`;
  }

  /** What a value must be beyond its type: enum, bounds, lengths, pattern; default, examples. */
  function facts(s, withExamples = true) {
    if (!s || typeof s !== 'object') return [];
    const out = [];
    const has = (...keys) => keys.some((key) => s[key] != null);
    if (s.enum) out.push(['one of ', join(s.enum.map(code), ', ')]);
    if (has('minimum', 'maximum')) out.push(range(s.minimum, s.maximum));
    if (has('exclusiveMinimum')) out.push(`more than ${s.exclusiveMinimum}`);
    if (has('exclusiveMaximum')) out.push(`less than ${s.exclusiveMaximum}`);
    if (has('minLength', 'maxLength')) out.push(range(s.minLength, s.maxLength, ' characters'));
    if (has('minItems', 'maxItems')) out.push(range(s.minItems, s.maxItems, ' items'));
    if (s.pattern) out.push(['matching ', code(s.pattern)]);
    if (s.default !== undefined) out.push(['default ', code(s.default)]);
    for (const flag of ['readOnly', 'writeOnly', 'deprecated']) if (s[flag]) out.push(words(flag));
    const examples = s.examples ?? (s.example !== undefined ? [s.example] : []);
    if (withExamples && examples.length) out.push(['e.g. ', join(examples.map(code), ', ')]);
    return out;
  }

  /** A schema in one line; a named simple type (ArticleId) also shows what it stands for. */
  function describe(s) {
    const parts = [typeOf(s), ...facts(s)];
    if (schemaName(s) && !isObject(s)) {
      const target = merged(s);
      parts[0] = [parts[0], ' (', join([typeOf(target), ...facts(target, false)], ', '), ')'];
    }
    return h('span', { class: 'type' }, join(parts, ', '));
  }

  function properties(schema) {
    const m = merged(schema);
    const required = new Set(m.required || []);
    const items = entries(m.properties).map(([name, p]) => {
      // A reference to a simple type brings its description; an object's stays in its section.
      const text = p.description ?? (schemaName(p) && !isObject(p) ? merged(p).description : null);
      const badges = badge(required.has(name) ? 'required' : 'optional');
      return h('li', null, code(name), ' ', badges, ' ', describe(p), prose(text), nested(p));
    });
    const extra = m.additionalProperties;
    if (extra === false) items.push(h('li', { class: 'note' }, 'No other properties.'));
    else if (extra && typeof extra === 'object') {
      items.push(h('li', null, 'Any other property: ', describe(extra), nested(extra)));
    }
    return items.length ? h('ul', { class: 'props' }, items) : null;
  }

  /** An inline object, or array of them, is spelled out; a named one is a link to its section. */
  function nested(s) {
    if (!s || schemaName(s)) return null;
    if (isObject(s)) return properties(s);
    return s.items && !schemaName(s.items) && isObject(s.items) ? properties(s.items) : null;
  }

  function examples(holder) {
    const all = entries(holder.examples).map(([name, example]) => [name, deref(example)]);
    if (holder.example !== undefined) all.unshift(['', { value: holder.example }]);
    return all
      .filter(([, example]) => example.value !== undefined)
      .map(([name, { summary, value }]) =>
        h('figure', { class: 'example' },
          h('figcaption', null, name ? `Example: ${summary || name}` : 'Example'),
          h('pre', null, h('code', null, json(value, 2)))),
      );
  }

  // Operations

  const operationId = (e) => e.op.operationId || `${e.method}-${e.path}`;

  function operations() {
    return entries(spec.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method])
        .map((method) => ({ path, method, op: item[method], shared: item.parameters || [] })),
    );
  }

  function howToSend(scheme = {}) {
    if (scheme.type === 'http' && /^bearer$/i.test(scheme.scheme)) {
      return ['send ', code('Authorization: Bearer <key>')];
    }
    if (scheme.type === 'apiKey') return ['send it in the ', scheme.in, ' ', code(scheme.name)];
    return [scheme.type, ' ', scheme.scheme || ''];
  }

  function security(op) {
    const requirements = op.security ?? spec.security ?? [];
    const names = [...new Set(requirements.flatMap(Object.keys))];
    if (!names.length) return h('p', { class: 'auth public' }, 'Public: no key needed.');
    const schemes = spec.components?.securitySchemes || {};
    const verb = requirements.some((r) => !Object.keys(r).length) ? 'Accepts' : 'Needs';
    const about = (name) => link(`#security-${name}`, words(name));
    return h('p', { class: 'auth key' },
      h('strong', null, `${verb} the `, join(names.map(about), ' or the ')), ': ',
      join(names.map((name) => howToSend(schemes[name])), '; '), '.');
  }

  function parameters(shared, own = []) {
    // An operation's parameter replaces the path's of the same name and location.
    const all = [...shared, ...own].map((p) => deref(p));
    const byKey = new Map(all.map((p) => [`${p.in} ${p.name}`, p]));
    if (!byKey.size) return null;
    const row = (tag, cells) =>
      h('tr', null, cells.map((cell) => h(tag, tag === 'th' ? { scope: 'col' } : null, cell)));
    const rows = [...byKey.values()].map((p) => row('td', [
      [code(p.name), p.required ? [' ', badge('required')] : null],
      p.in,
      describe(p.schema ?? Object.values(p.content || {})[0]?.schema),
      [markdown(p.description), 'example' in p ? h('p', null, 'Example: ', code(p.example)) : null],
    ]));
    const head = h('thead', null, row('th', ['Name', 'In', 'Type', 'Description']));
    return [h('h4', null, 'Parameters'), h('table', null, head, h('tbody', null, rows))];
  }

  /** Bodies by media type. A shared response (mostly errors) links its schema, not repeats it. */
  function content(media, expand) {
    return entries(media).map(([type, { schema, ...rest }]) => {
      const named = schemaName(schema);
      return h('div', { class: 'media' },
        h('p', null, code(type), ' ', describe(schema)),
        expand && !named ? prose(schema?.description) : null,
        expand ? (named ? properties(schema) : nested(schema)) : null,
        examples(rest));
    });
  }

  function requestBody(body) {
    if (!body) return null;
    const b = deref(body);
    const title = h('h4', null, 'Request body', b.required ? [' ', badge('required')] : null);
    return [title, prose(b.description), content(b.content, true)];
  }

  function response(status, raw) {
    const r = deref(raw);
    const list = (title, items, item) => items.length
      ? [h('p', { class: 'sub' }, title), h('ul', { class: 'props' }, items.map(item))]
      : null;
    return h('div', { class: 'response' },
      h('p', { class: 'status' }, h('span', { class: `code s${status[0]}xx` }, status)),
      prose(r.description),
      list('Headers', entries(r.headers), ([name, header]) => {
        const { schema, description } = deref(header);
        return h('li', null, code(name), ' ', describe(schema), prose(description));
      }),
      content(r.content, !raw.$ref),
      list('Links', entries(r.links), ([name, target]) => {
        const { operationId: id, description } = deref(target);
        return h('li', null, `${name}: `, link(`#${id}`, id), description && ` – ${description}`);
      }),
    );
  }

  function operation(entry) {
    const { path, method, op, shared } = entry;
    const id = operationId(entry);
    const order = (status) => (/^\d/.test(status) ? Number(status.replace(/x/gi, '9')) : 999);
    const statuses = Object.keys(op.responses || {}).sort((a, b) => order(a) - order(b));
    const opid = op.operationId && h('code', { class: 'opid', title: 'operationId' }, id);
    const title = [methodBadge(method), ' ', h('span', { class: 'path' }, path)];
    return region('h3', id, title, 'operation',
      h('p', { class: 'summary' }, op.summary, opid ? [' ', opid] : null),
      op.deprecated ? h('p', null, badge('deprecated')) : null,
      security(op),
      prose(op.description),
      parameters(shared, op.parameters),
      requestBody(op.requestBody),
      h('h4', null, 'Responses'),
      statuses.map((status) => response(status, op.responses[status])),
    );
  }

  // The page

  /** Operations grouped by their first tag, in the order the spec lists its tags. */
  function groups() {
    const byTag = new Map((spec.tags || []).map((tag) => [tag.name, { tag, ops: [] }]));
    for (const entry of operations()) {
      const name = entry.op.tags?.[0] ?? 'other';
      if (!byTag.has(name)) byTag.set(name, { tag: { name }, ops: [] });
      byTag.get(name).ops.push(entry);
    }
    return [...byTag.values()].filter((group) => group.ops.length);
  }


  /** A path that may wrap only after a slash. */
  const breakable = (path) => path.split(/(?<=\/)/).flatMap((part) => [part, h('wbr')]);

  function contents(tagged, schemes, schemas) {
    const path = (e) => h('span', null, breakable(e.path));
    const item = (e) => h('li', null, link(`#${operationId(e)}`, methodBadge(e.method), path(e)));
    const items = (list) => list.map(item);
    return [
      h('h2', { id: 'toc-title' }, 'Contents'),
      h('ul', null,
        schemes.length ? h('li', null, link('#authentication', 'Authentication')) : null,
        tagged.map(({ tag, ops }) =>
          h('li', null, link(`#tag-${tag.name}`, tag.name), h('ul', null, items(ops)))),
        schemas.length ? h('li', null, link('#schemas', 'Schemas'),
          h('ul', null, schemas.map(([name]) => h('li', null, schemaLink(name))))) : null,
      ),
    ];
  }

  function introduction(info) {
    const about = [`Version ${info.version}`, `OpenAPI ${spec.openapi}`, info.license?.name];
    const servers = (spec.servers || []).map((s) =>
      h('li', null, code(s.url), s.description ? [' – ', inline(s.description)] : null));
    return h('header', null,
      h('h1', null, info.title),
      h('p', { class: 'version' }, join(about.filter(Boolean), ' · ')),
      info.summary ? h('p', { class: 'lead' }, info.summary) : null,
      markdown(info.description),
      h('p', null, 'The contract itself: ', link('openapi.yaml', 'openapi.yaml'), ', ',
        link('openapi.json', 'openapi.json'), '.'),
      servers.length ? [h('h2', null, 'Servers'), h('ul', null, servers)] : null,
    );
  }

  function authentication(schemes) {
    return region('h2', 'authentication', 'Authentication', null, schemes.map(([name, scheme]) => [
      h('h3', { id: `security-${name}` }, words(name)),
      h('p', null, code(name), ': ', howToSend(scheme), '.'),
      prose(scheme.description),
    ]));
  }

  function schemaSection([name, schema]) {
    return region('h3', `schema-${name}`, name, 'schema',
      h('p', null, describe(schema)), prose(schema.description), properties(schema));
  }

  function render() {
    const info = spec.info || {};
    const schemes = entries(spec.components?.securitySchemes);
    const schemas = entries(spec.components?.schemas);
    const tagged = groups();
    document.title = `${info.title} ${info.version} – API documentation`;
    const toc = document.getElementById('toc');
    toc.replaceChildren(...contents(tagged, schemes, schemas));
    toc.hidden = false;
    const page = [
      introduction(info),
      schemes.length ? authentication(schemes) : null,
      tagged.map(({ tag, ops }) => region('h2', `tag-${tag.name}`, tag.name, 'tag',
        prose(tag.description), ops.map(operation))),
      schemas.length ? region('h2', 'schemas', 'Schemas', null, schemas.map(schemaSection)) : null,
    ];
    document.getElementById('content').replaceChildren(...page.flat(Infinity).filter(Boolean));
    // The page was empty when the browser looked for the #fragment: look again.
    const target = decodeURIComponent(location.hash.slice(1));
    if (target) document.getElementById(target)?.scrollIntoView();
  }

  fetch('openapi.json', { headers: { Accept: 'application/json' } })
    .then((response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    })
    .then((loaded) => {
      spec = loaded;
      render();
    })
    .catch((error) => {
      const status = document.getElementById('status');
      if (!status) throw error;
      status.setAttribute('role', 'alert');
      status.replaceChildren(`The API description could not be shown (${error.message}). `,
        'The contract itself is at ', link('openapi.yaml', 'openapi.yaml'), '.');
    });
})();
