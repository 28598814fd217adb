/**
 * n8n's activation manager in small, for a trigger node on the real n8n-core engine. It reproduces the two ways
 * n8n reacts to a trigger (packages/cli `ActiveWorkflowManager`, n8n 1.x-2.x), because the two together are what
 * turned one refused login into a reactivation storm (issue 12, item 15):
 * - activation fails (trigger() rejects): switched on in the editor, the user sees the error and the workflow
 *   stays off; at start-up (`init`) the activation is retried after a delay that doubles on every failed retry
 *   (n8n: 1 s, doubling, capped);
 * - the trigger calls emitError: n8n removes the workflow's triggers (their closeFunction), registers the
 *   activation error and queues a reactivation, restarting its delay from the first step. In n8n the queued
 *   retry's own failure path re-arms a timer without clearing the one emitError armed, so a trigger that both
 *   emits and rejects doubles the number of retry chains each round; this helper does the same.
 * Delays are scaled down (`initialMs`) so a test sees several rounds in well under a second.
 */
import { Container } from '@n8n/di';
import { TriggerContext, TriggersAndPollers } from 'n8n-core';
import type { ICredentialDataDecryptedObject, INodeExecutionData, ITriggerResponse } from 'n8n-workflow';
import { additionalData, type TestWorkflow } from './engine';

export interface ActivationManagerOptions {
  /** First reactivation delay (n8n: 1000 ms). */
  initialMs: number;
  maxMs: number;
  credentials: () => Record<string, ICredentialDataDecryptedObject>;
}

export class ActivationManager {
  /** Every call of trigger(), with its outcome. */
  /** `start`/`at`: when trigger() was called and when it settled (a loaded machine makes attempts slow). */
  readonly attempts: Array<{ start: number; at: number; ok: boolean; error?: Error }> = [];
  readonly emitErrors: Error[] = [];
  readonly emitted: INodeExecutionData[][][] = [];
  private response?: ITriggerResponse;
  private timers = new Set<NodeJS.Timeout>();
  private lastTimeout = 0;
  private stopped = false;

  constructor(private readonly tw: TestWorkflow, private readonly nodeName: string, private readonly o: ActivationManagerOptions) {}

  get active(): boolean {
    return this.response !== undefined;
  }

  /**
   * `activate`: the user switched the workflow on; a failure is shown to them and nothing is retried.
   * `init`: n8n started with the workflow active; a failure queues retries.
   */
  async activate(how: 'activate' | 'init'): Promise<boolean> {
    const ok = await this.add();
    if (!ok && how === 'init') this.queue();
    return ok;
  }

  /** Deactivates: closes the trigger and cancels every queued retry. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.remove();
  }

  private async add(): Promise<boolean> {
    const ad = additionalData(this.o.credentials(), this.tw.data, 'trigger');
    const node = this.tw.workflow.getNode(this.nodeName)!;
    const start = Date.now();
    try {
      const response = await Container.get(TriggersAndPollers).runTriggerFunction(
        this.tw.workflow,
        node,
        (workflow, n, additional, mode, activation) =>
          new TriggerContext(workflow, n, additional, mode, activation, (data) => void this.emitted.push(data), (e) => this.onEmitError(e), () => undefined),
        ad,
        'trigger',
        'activate',
      );
      this.attempts.push({ start, at: Date.now(), ok: true });
      if (this.stopped) {
        await response?.closeFunction?.();
        return false;
      }
      this.response = response;
      return true;
    } catch (e) {
      this.attempts.push({ start, at: Date.now(), ok: false, error: e as Error });
      return false;
    }
  }

  private async remove(): Promise<void> {
    const r = this.response;
    this.response = undefined;
    await r?.closeFunction?.();
  }

  private onEmitError(error: Error): void {
    this.emitErrors.push(error);
    void this.remove();
    this.queue();
  }

  /** `addQueuedWorkflowActivation`: (re)start the retry chain from the first delay. */
  private queue(): void {
    if (this.stopped) return;
    this.lastTimeout = this.o.initialMs;
    this.arm(this.o.initialMs);
  }

  private arm(ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      void this.retry();
    }, ms);
    this.timers.add(t);
  }

  private async retry(): Promise<void> {
    if (this.stopped) return;
    if (await this.add()) return;
    this.lastTimeout = Math.min(this.lastTimeout * 2, this.o.maxMs);
    this.arm(this.lastTimeout);
  }
}
