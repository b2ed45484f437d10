import { describe, expect, it } from 'vitest';
import { MissingState } from '../../src/missing/entities.js';

describe('missing: topic names', () => {
  it("a series' own topic is its id, and only an id that cannot be another topic of the feature", () => {
    expect(MissingState.series('one_piece')).toBe('one_piece');
    expect(MissingState.series('komga_berserk_2')).toBe('komga_berserk_2');
    expect(MissingState.results('one_piece')).toBe('results/one_piece');
    // What config.ts refuses as a series id would publish over another state.
    for (const id of ['summary', 'history', 'event', 'results', 'results/one_piece', 'One Piece', '']) {
      expect(() => MissingState.series(id), id).toThrow(expect.objectContaining({ code: 'BAD_SERIES_ID' }));
    }
  });
});
