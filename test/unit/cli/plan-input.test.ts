// plan's YAML reading (src/cli/plan-input.ts): documents one at a time, numbered as the Composer
// counts them, the text taken out of its box once reading starts, and process.env (swapped for a
// plain copy while yaml's parser runs, for speed) always the real one between documents.
import { describe, expect, it } from 'vitest';
import {
  type PlanInput,
  readYamlDocuments,
  type YamlTally,
  yamlDocuments,
} from '../../../src/cli/plan-input.js';

const TEXT = 'kind: A\n---\n# only a comment\n---\nkind: [unclosed\n---\nkind: B\n';

describe('plan YAML reading', () => {
  it('yields every document in order, null plus a numbered warning for one that does not parse', () => {
    const { documents, warnings } = readYamlDocuments(TEXT);
    expect(documents).toEqual([{ kind: 'A' }, null, null, { kind: 'B' }]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^document 3: invalid YAML: /);
  });

  it('counts the documents that hold anything, and reads the text once', () => {
    const input: PlanInput = { text: TEXT };
    const tally: YamlTally = { warnings: [], objects: 0 };
    const documents = yamlDocuments(input, tally);
    expect([...documents]).toHaveLength(4);
    expect(tally.objects).toBe(2);
    expect(input.text).toBe('');
    expect([...documents]).toEqual([]);
  });

  it('leaves the real process.env in place between documents and after an early stop', () => {
    const real = process.env;
    const tally: YamlTally = { warnings: [], objects: 0 };
    for (const document of yamlDocuments({ text: TEXT }, tally)) {
      expect(process.env).toBe(real);
      if (document !== null) break;
    }
    expect(process.env).toBe(real);
    expect(readYamlDocuments(TEXT).documents).toHaveLength(4);
    expect(process.env).toBe(real);
  });
});
