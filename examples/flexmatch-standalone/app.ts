/**
 * A studio's CDK app: Amazon GameLift FlexMatch in standalone mode forms the matches, the
 * Gameye match bridge starts their game servers. FlexMatch needs no code of yours to reach the
 * bridge: the construct's `flexMatch` prop adds the EventBridge rule that sends each
 * `MatchmakingSucceeded` event of the configuration to the bridge's matches queue, and lets the
 * bridge read the tickets' player latencies (`DescribeMatchmaking`) to pick the region.
 *
 * Your game backend starts matchmaking as usual (`StartMatchmaking` with each player's
 * `LatencyInMs` keyed by AWS region, e.g. `{ "eu-west-1": 24, "us-east-1": 95 }`) and hears
 * about the server on the session-events topic (`SessionReady`, with the match's tickets).
 *
 * Run it like any CDK app (`npx cdk synth --app 'node app.ts'`) once the package is installed
 * (README, "Use the construct in your own CDK app"). Deploy it in the region of your
 * matchmaking configuration: that is where GameLift sends its events.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as gamelift from 'aws-cdk-lib/aws-gamelift';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GameyeMatchBridge } from 'gameye-match-bridge';

const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const stack = new Stack(app, 'FlexMatchStandalone');

// The configuration's name is written once: the matchmaker and the bridge both use it.
const CONFIGURATION = 'ranked-5v5-config';

// Two teams of five whose players all reach the server in at most 150 ms. The latency rule
// is what makes FlexMatch ask each player's LatencyInMs, which the bridge places by.
const ruleSet = new gamelift.CfnMatchmakingRuleSet(stack, 'RankedRules', {
  name: 'ranked-5v5-rules',
  ruleSetBody: JSON.stringify({
    name: 'ranked-5v5',
    ruleLanguageVersion: '1.0',
    playerAttributes: [{ name: 'skill', type: 'number', default: 1000 }],
    teams: [
      { name: 'red', minPlayers: 5, maxPlayers: 5 },
      { name: 'blue', minPlayers: 5, maxPlayers: 5 },
    ],
    rules: [{ name: 'FastConnection', type: 'latency', maxLatency: 150 }],
  }),
});
const configuration = new gamelift.CfnMatchmakingConfiguration(stack, 'Ranked', {
  name: CONFIGURATION,
  flexMatchMode: 'STANDALONE',
  ruleSetName: ruleSet.name,
  acceptanceRequired: false,
  requestTimeoutSeconds: 120,
  backfillMode: 'MANUAL',
});
configuration.addDependency(ruleSet);

const bridge = new GameyeMatchBridge(stack, 'GameyeBridge', {
  bridgeConfig: {
    deploymentId: 'my-game-prod',
    sessionNamespace: '0b6f0a5e-8f2c-4b7e-9a51-0c1d2e3f4a5b',
    profiles: { 'ranked-5v5': { image: 'my-game-server', version: '1.4.2' } },
    // FlexMatch keys latencies by AWS region code. Codes Gameye uses as region names too
    // (eu-west-1, us-east-1) need no alias; the others map to Gameye's region.
    regionAliases: {
      'eu-central-1': 'eu-central',
      'ap-northeast-1': 'asia-northeast',
      'sa-east-1': 'sa-east',
    },
  },
  flexMatch: { configurations: { [CONFIGURATION]: { profile: 'ranked-5v5' } } },
  gameyeTokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:gameye-token-AbCdEf',
  alarmEmail: 'oncall@example.com',
});

export { app, bridge, stack };
