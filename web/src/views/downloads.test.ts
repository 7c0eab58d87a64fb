import { describe, expect, it } from 'vitest';
import { csvField, modelCsv, modelJson } from './downloads.ts';

describe('a view model as downloads', () => {
  it('lists every table of the model with its path, cells spread into columns', () => {
    const csv = modelCsv({
      lead: ['not a table'],
      rows: [{ mode: 'gil', cells: [{ text: '1×', title: 'x' }, { text: '1.9× [1.8, 2.0]' }] }],
      charts: [{ id: 'c', lines: [{ label: 'nogil', index: 0 }] }],
    });
    expect(csv).toBe(
      'table,mode,cell 1,cell 2,id,label,index\nrows,gil,1×,"1.9× [1.8, 2.0]",,,\ncharts,,,,c,,\ncharts.0.lines,,,,,nogil,0\n',
    );
  });

  it('quotes what CSV needs quoted', () => {
    expect(csvField('a"b')).toBe('"a""b"');
    expect(csvField('plain')).toBe('plain');
  });

  it('is the model itself as JSON', () => {
    expect(JSON.parse(modelJson({ a: [1] }))).toEqual({ a: [1] });
  });
});
