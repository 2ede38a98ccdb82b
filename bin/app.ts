/**
 * CDK app: `npx cdk synth` / `npx cdk deploy`. Environment-agnostic, so it synthesizes
 * offline with no AWS account. Context:
 *   -c config=path/to/bridge.config.json   runtime config (default config/bridge.config.json)
 *   -c alarmEmail=oncall@example.com       subscribe an address to the alarm topic
 *   -c gameyeTokenSecretArn=arn:...        use an existing secret for the Gameye token
 *   -c stackName=GameyeMatchBridge         stack name
 *   -c flexMatch='{"ranked-5v5-config":{"profile":"ranked-5v5"}}'
 *                                          take FlexMatch (standalone) matches of these configurations
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BridgeStack, DEFAULT_CONFIG_PATH } from '../lib/bridge-stack.ts';
import { flexMatchFromContext } from '../lib/flexmatch-context.ts';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
};
const alarmEmail = context('alarmEmail');
const gameyeTokenSecretArn = context('gameyeTokenSecretArn');
const flexMatch = flexMatchFromContext(app.node.tryGetContext('flexMatch'));

new BridgeStack(app, context('stackName') ?? 'GameyeMatchBridge', {
  description: 'Gameye match bridge: matchmaker MatchFound events to Gameye game servers',
  configPath: context('config') ?? DEFAULT_CONFIG_PATH,
  bridge: {
    ...(alarmEmail ? { alarmEmail } : {}),
    ...(gameyeTokenSecretArn ? { gameyeTokenSecretArn } : {}),
    ...(flexMatch ? { flexMatch } : {}),
  },
});
