/**
 * What a view is: `load` asks the API for what it needs (given the URL
 * state), `model` turns that data and the state into what is shown (pure, no
 * DOM, tested in vitest without a browser), and `render` turns the model into
 * DOM and charts. The registry entry (`defineView`) holds no render step, so
 * Node code (`gilbench export-site`) reads the registry without the DOM's
 * types or chart.js; the browser pairs each entry with its render step in
 * renderers.ts.
 *
 * @example
 * export const history = defineView({
 *   id: 'history', title: 'History', nav: 'History',
 *   load: loadHistory, model: historyModel,
 * });
 */
import type { Api, MachineInfo, RunInfo, SeriesInfo, Session } from '../api.ts';
import type { RouteParams } from '../route.ts';

/** The URL state and facts about the page a view is drawn for. */
export interface ViewState {
  params: URLSearchParams;
  /** True on an exported static site (no writes, no live progress). */
  isStatic: boolean;
  session: Session | null;
  /** The server's address for commands shown in advice (`URL` on an exported site). */
  serverUrl: string;
  /** The time "5 min ago" is counted from (ms since the epoch). */
  now: number;
}

/** What the render step may do besides drawing: change the URL state, or write through the API. */
export interface ViewContext {
  api: Api;
  view: string;
  state: ViewState;
  /**
   * Merges `change` into the view's URL state: a new history entry unless
   * `replace`; `silent` only rewrites the URL (the page already shows it).
   */
  setParams(change: RouteParams, opts?: { replace?: boolean; silent?: boolean }): void;
}

/** One machine's data as `gilbench export-site` walks it, for the views to ask for their files. */
export interface ExportWalk {
  api: Api;
  machine: MachineInfo;
  /** The machine's runs, newest first. */
  runs: RunInfo[];
  series: SeriesInfo[];
  /** Runs `task` over `items`, at most `limit` at a time. */
  each<T>(items: readonly T[], limit: number, task: (item: T) => Promise<unknown>): Promise<void>;
}

/** The API answers a view reads, so an exported static site holds them. */
export interface ViewExport {
  /** Answers that do not depend on a machine. */
  site?(api: Api): Promise<unknown>;
  /** Answers about one machine. */
  machine?(walk: ExportWalk): Promise<unknown>;
}

export interface ViewDefinition<Id extends string, D, M> {
  /** The route: `#/<id>?…`. */
  id: Id;
  /** The page title (`<title>` is `<title> · gilbench`). */
  title: string;
  /** The link text in the nav bar. */
  nav: string;
  load(api: Api, state: ViewState): Promise<D>;
  model(data: D, state: ViewState): M;
  exportData?: ViewExport;
}

/** A view in the registry, its data and model types hidden behind `draw`. */
export interface RegisteredView<Id extends string = string> {
  id: Id;
  title: string;
  nav: string;
  exportData?: ViewExport;
  /** Loads and models the view: what it shows, without a DOM (for tests, downloads, exports). */
  show(api: Api, state: ViewState): Promise<unknown>;
}

/** Checks a view's parts fit together and makes its registry entry. */
export function defineView<const Id extends string, D, M>(
  def: ViewDefinition<Id, D, M>,
): RegisteredView<Id> & { definition: ViewDefinition<Id, D, M> } {
  return {
    id: def.id,
    title: def.title,
    nav: def.nav,
    exportData: def.exportData,
    definition: def,
    async show(api, state) {
      return def.model(await def.load(api, state), state);
    },
  };
}
