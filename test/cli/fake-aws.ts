/**
 * A stand-in for the two AWS calls deployed mode makes before any other: CloudFormation
 * DescribeStacks (the stack's outputs) and Secrets Manager GetSecretValue (the Gameye token).
 * No local service implements CloudFormation, so this answers just those two, the way the SDK
 * expects (query protocol XML, JSON 1.1), and records what was asked. Point a child process
 * at it with `AWS_ENDPOINT_URL`.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeAws {
  readonly url: string;
  /** `DescribeStacks`, `GetSecretValue`, … in the order asked. */
  readonly calls: string[];
  close(): Promise<void>;
}

export async function startFakeAws(options: {
  readonly stackName: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly secret: string;
}): Promise<FakeAws> {
  const calls: string[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.startsWith('secretsmanager.')) {
      const action = target.slice('secretsmanager.'.length);
      calls.push(action);
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ ARN: SecretId, Name: 'token', SecretString: options.secret }));
      return;
    }
    const action = new URLSearchParams(body).get('Action') ?? '?';
    calls.push(action);
    if (action !== 'DescribeStacks') {
      res.writeHead(400, { 'content-type': 'text/xml' });
      res.end(
        `<ErrorResponse><Error><Code>InvalidAction</Code><Message>${action}</Message></Error></ErrorResponse>`,
      );
      return;
    }
    const outputs = Object.entries(options.outputs)
      .map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`)
      .join('');
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      '<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>' +
        `<StackName>${options.stackName}</StackName><StackStatus>CREATE_COMPLETE</StackStatus>` +
        `<CreationTime>2030-01-01T00:00:00Z</CreationTime><Outputs>${outputs}</Outputs>` +
        '</member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></DescribeStacksResponse>',
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
