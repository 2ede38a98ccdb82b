/** The fleet-information operations: `GET /available-location/{image}` and `GET /tag/{region}/{image}/{version}`. */
import type { AvailableLocationsOk, TagOk } from '../../../lambdas/gameye/contract.ts';
import { sendSuccess } from '../answers.ts';
import type { OperationHandler } from '../emulator-context.ts';
import { EmulatorHttpError } from '../http-error.ts';

/** `GET /available-location/{image}`: regions hosting the image with capacity left, with their ping IPs. */
export const availableLocations: OperationHandler = (emulator, { res, operation, params }) => {
  const name = params[0] ?? '';
  const { config, fleet } = emulator;
  const image = config.images.find((i) => i.name === name);
  if (!image) throw new EmulatorHttpError(404, 'IMAGE_NOT_FOUND', `image "${name}" does not exist`);
  const ok: AvailableLocationsOk = {
    locations: config.regions
      .filter((r) => image.tags[r.name] !== undefined && fleet.activeIn(r.name) < r.capacity)
      .map((r) => ({ id: r.name, ips: [...(r.pingIps ?? r.hosts)] })),
  };
  sendSuccess(res, operation, 200, ok);
};

/** `GET /tag/{region}/{image}/{version}`: whether the region's fleet holds this tag of the image. */
export const tagExists: OperationHandler = (emulator, { res, operation, params }) => {
  const [region = '', imageName = '', version = ''] = params;
  const image = emulator.config.images.find((i) => i.name === imageName);
  if (!image) throw new EmulatorHttpError(404, 'IMAGE_NOT_FOUND', `image "${imageName}" does not exist`);
  const ok: TagOk = { exists: image.tags[region]?.includes(version) ?? false };
  sendSuccess(res, operation, 200, ok);
};
