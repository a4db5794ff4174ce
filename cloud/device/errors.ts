// Errors the device client reports to the application; `code` is stable.

export type DeviceErrorCode = 'relay-key-mismatch' | 'closed' | 'not-enrolled' | 'too-large';

export class DeviceError extends Error {
  constructor(readonly code: DeviceErrorCode, message?: string) {
    super(message ?? `device: ${code}`);
    this.name = 'DeviceError';
  }
}
