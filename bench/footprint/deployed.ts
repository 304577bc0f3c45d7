// What the shipped manifests run each daemon with, read from deploy/ (one place for the fact): the
// bench runs the controller and the speaker with the same NODE_OPTIONS and --log-level, so its
// figures are the figures of a deployed daemon.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');

/** The settings of one daemon's container in deploy/<role>.yaml. */
export interface DeployedSettings {
  /** The container's NODE_OPTIONS env value, or undefined when the manifest sets none. */
  readonly nodeOptions: string | undefined;
  /** Every `--log-level=...` of the container's args. */
  readonly logLevelArgs: readonly string[];
}

interface Container {
  readonly name?: string;
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name?: string; readonly value?: string }[];
}

/** Reads the `role` container (controller or speaker) of deploy/<role>.yaml. */
export function deployedSettings(role: 'controller' | 'speaker'): DeployedSettings {
  const documents = parseAllDocuments(readFileSync(join(DEPLOY, `${role}.yaml`), 'utf8'));
  for (const document of documents) {
    const object = document.toJS() as { spec?: { template?: { spec?: { containers?: Container[] } } } };
    const container = object?.spec?.template?.spec?.containers?.find((item) => item.name === role);
    if (!container) continue;
    return {
      nodeOptions: container.env?.find((variable) => variable.name === 'NODE_OPTIONS')?.value,
      logLevelArgs: (container.args ?? []).filter((arg) => arg.startsWith('--log-level=')),
    };
  }
  throw new Error(`deploy/${role}.yaml: no container named ${role}`);
}
