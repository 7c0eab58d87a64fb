/**
 * The dashboard's formatting: the one module the CLI uses too
 * (harness/format), so a figure reads the same on a page and in a terminal.
 *
 * @example formatNs(1234.5) === '1.23 µs'; formatRatio(1.234) === '1.23×'
 */
export * from '../../harness/format/index.ts';
