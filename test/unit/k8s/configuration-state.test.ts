import { describe, expect, it } from 'vitest';
import { configurationStateName, configurationStatus } from '../../../src/k8s/index.js';

const now = new Date('2026-11-25T10:00:00.123Z');

describe('ConfigurationState (R6)', () => {
  it('R6: names are `controller` and `speaker-<node>`', () => {
    expect(configurationStateName({ type: 'controller' })).toBe('controller');
    expect(configurationStateName({ type: 'speaker', nodeName: 'node-a' })).toBe('speaker-node-a');
  });

  it('R6: an accepted configuration is Valid with a True condition and no error summary', () => {
    expect(configurationStatus({ type: 'controller' }, undefined, now)).toEqual({
      result: 'Valid',
      errorSummary: '',
      conditions: [
        {
          type: 'poolReconcilerValid',
          status: 'True',
          reason: 'Reconciled',
          message: '',
          lastTransitionTime: '2026-11-25T10:00:00Z',
        },
      ],
    });
  });

  it('R6: a refused configuration is Invalid; the summary prefixes the condition type', () => {
    const problem = 'IPAddressPool metallb-system/bad spec.addresses[0]: invalid CIDR';
    expect(configurationStatus({ type: 'speaker', nodeName: 'n1' }, problem, now)).toEqual({
      result: 'Invalid',
      errorSummary: `configReconcilerValid: ${problem}`,
      conditions: [
        {
          type: 'configReconcilerValid',
          status: 'False',
          reason: 'ConfigurationError',
          message: problem,
          lastTransitionTime: '2026-11-25T10:00:00Z',
        },
      ],
    });
  });
});
