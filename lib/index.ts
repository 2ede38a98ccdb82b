/**
 * What the package exports to a studio's CDK app (`import { GameyeMatchBridge } from
 * 'gameye-match-bridge'`). Compiled to `dist/` when the package is packed; see the README's
 * "Use the construct in your own CDK app".
 */
export type { BridgeConfig, BridgeConfigInput } from '../lambdas/core/config.ts';
export { parseBridgeConfig } from '../lambdas/core/config.ts';
export { BridgeAlarms, type BridgeAlarmThresholds } from './alarms.ts';
export { GameyeMatchBridge } from './bridge-construct.ts';
export type {
  FlexMatchConfigurationProps,
  FlexMatchProps,
  GameyeMatchBridgeProps,
  QueueEncryptionMode,
} from './bridge-props.ts';
export { BridgeDashboard } from './dashboard.ts';
export { FlexMatchEvents } from './flexmatch-events.ts';
