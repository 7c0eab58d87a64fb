/**
 * Safe DOM building. Every piece of user data (benchmark names, labels,
 * notes, hostnames) reaches the page as a text node: nothing here ever parses
 * HTML, so markup in a name is shown as text and never runs.
 *
 * @example
 * const row = h('tr', {}, h('td', { className: 'num' }, formatNs(12.5)), h('td', {}, benchmarkName));
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Props {
  className?: string;
  /** Attributes set with setAttribute; `on*` and unsafe URLs are refused. */
  attrs?: Record<string, string | number | boolean | undefined | null>;
  /** Event listeners, e.g. `{ click: () => … }`. */
  on?: Partial<Record<keyof HTMLElementEventMap, (event: Event) => void>>;
  /** `data-*` values (for tests and styling). */
  data?: Record<string, string | number | undefined>;
}

const SAFE_URL = /^(#|\/(?!\/)|\.\/|\?|https?:\/\/|[a-z0-9_-]+\.(?:json|html)(?:$|[?#]))/i;

/**
 * A link target we are willing to put into `href`: in-app hash routes,
 * same-site paths, relative data files and http(s) URLs; never `javascript:`.
 * @example isSafeUrl('#/history?machine=1') === true; isSafeUrl('javascript:alert(1)') === false
 */
export function isSafeUrl(url: string): boolean {
  return SAFE_URL.test(url.trim());
}

/**
 * Creates an element with properties and children; strings become text nodes.
 * @example h('a', { attrs: { href: '#/runs' } }, 'all runs')
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.className) el.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    setSafeAttribute(el, name, value === true ? '' : String(value));
  }
  for (const [name, value] of Object.entries(props.data ?? {})) {
    if (value !== undefined) el.dataset[name] = String(value);
  }
  for (const [type, listener] of Object.entries(props.on ?? {})) {
    if (listener) el.addEventListener(type, listener);
  }
  append(el, children);
  return el;
}

function setSafeAttribute(el: Element, name: string, value: string): void {
  const lower = name.toLowerCase();
  // Handlers and inline styles would bypass the CSP; they are never needed.
  if (lower.startsWith('on') || lower === 'style' || lower === 'srcdoc') {
    throw new Error(`refusing to set attribute '${name}'`);
  }
  if ((lower === 'href' || lower === 'src' || lower === 'action') && !isSafeUrl(value)) {
    throw new Error(`refusing unsafe URL in ${name}`);
  }
  el.setAttribute(name, value);
}

/** Appends children (nested arrays flattened; null/false skipped; strings as text). */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

/** Removes every child of `el`, then appends `children`. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  while (el.firstChild) el.removeChild(el.firstChild);
  append(el, children);
}

/**
 * A box that says what is missing and what to do next, instead of a blank chart.
 * @example emptyState('No runs yet', 'Run `gilbench run --suite scaling --json out.json` and upload it.')
 */
export function emptyState(title: string, ...advice: Child[]): HTMLElement {
  return h('div', { className: 'empty', attrs: { role: 'status' } }, h('strong', {}, title), h('p', {}, ...advice));
}

/** A `<code>` span for commands shown in advice. */
export function code(text: string): HTMLElement {
  return h('code', {}, text);
}

/** A labelled `<select>` whose value changes call `onChange`. */
export function select(
  label: string,
  options: ReadonlyArray<{ value: string; label: string }>,
  value: string,
  onChange: (value: string) => void,
  name = label.toLowerCase().replace(/\W+/g, '-'),
): HTMLElement {
  const sel = h(
    'select',
    { attrs: { name, 'aria-label': label }, on: { change: (e) => onChange((e.target as HTMLSelectElement).value) } },
    options.map((o) => h('option', { attrs: { value: o.value, selected: o.value === value } }, o.label)),
  );
  sel.value = value;
  return h('label', { className: 'field' }, h('span', {}, label), sel);
}
