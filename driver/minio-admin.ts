import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';

/**
 * The few MinIO admin API calls `make up` needs to give the pipeline its own user, scoped to one bucket, without
 * the `mc` client (a source-built MinIO has none). Requests are signed with SigV4 like S3 calls; the bodies that
 * carry a secret are encrypted with the caller's secret key the way MinIO's admin client does it (madmin's
 * EncryptData, PBKDF2 + AES-256-GCM variant), so no secret crosses the connection in clear.
 */

export class MinioAdminError extends Error {
  override name = 'MinioAdminError';
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface AdminCredentials {
  endpoint: string;
  accessKey: string;
  secretKey: string;
}

/** SignatureV4's hash: SHA-256, or HMAC-SHA-256 when given a key. */
class NodeSha256 implements Checksum {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    throw new Error('not used by SignatureV4');
  }
}

const toBytes = (data: SourceData): Uint8Array | string =>
  typeof data === 'string' ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);

/** Cost and layout fixed by MinIO's server side (madmin-go encrypt.go): salt | algorithm id | nonce | sealed data. */
const PBKDF2_AES_GCM = 0x02;
const PBKDF2_ROUNDS = 8192;

/**
 * madmin's EncryptData for a body smaller than one 16 KiB package of its stream format (sio-go): one final
 * AES-GCM package under nonce‖seq=1, whose associated data is 0x80 ‖ the tag of an empty seal under nonce‖seq=0.
 */
export function encryptAdminBody(secretKey: string, plaintext: Uint8Array): Buffer {
  if (plaintext.length > 16 * 1024) throw new Error('admin bodies over 16 KiB are not supported');
  const salt = randomBytes(32);
  const nonce = randomBytes(8);
  const key = pbkdf2Sync(Buffer.from(secretKey, 'utf8'), salt, PBKDF2_ROUNDS, 32, 'sha256');
  const seal = (seq: number, data: Uint8Array, aad: Uint8Array) => {
    const iv = Buffer.alloc(12);
    nonce.copy(iv);
    iv.writeUInt32LE(seq, 8);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad);
    return Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
  };
  const headerTag = seal(0, new Uint8Array(), new Uint8Array());
  const body = seal(1, plaintext, Buffer.concat([Buffer.from([0x80]), headerTag]));
  return Buffer.concat([salt, Buffer.from([PBKDF2_AES_GCM]), nonce, body]);
}

export class MinioAdmin {
  private readonly signer: SignatureV4;
  private readonly url: URL;

  constructor(private readonly credentials: AdminCredentials) {
    this.url = new URL(credentials.endpoint);
    this.signer = new SignatureV4({
      credentials: { accessKeyId: credentials.accessKey, secretAccessKey: credentials.secretKey },
      region: 'us-east-1',
      service: 's3',
      sha256: NodeSha256,
    });
  }

  /** Creates the user, or sets its secret key when it exists (MinIO's add-user does both), enabled. */
  async addUser(accessKey: string, secretKey: string): Promise<void> {
    const body = encryptAdminBody(this.credentials.secretKey, Buffer.from(JSON.stringify({ secretKey, status: 'enabled' })));
    await this.call('PUT', '/minio/admin/v3/add-user', { accessKey }, body);
  }

  /** Creates or replaces a named policy. */
  async putPolicy(name: string, policy: object): Promise<void> {
    await this.call('PUT', '/minio/admin/v3/add-canned-policy', { name }, Buffer.from(JSON.stringify(policy)));
  }

  /** Sets exactly these policies on the user (replacing any others). */
  async setUserPolicies(user: string, policies: string[]): Promise<void> {
    await this.call('PUT', '/minio/admin/v3/set-user-or-group-policy', { policyName: policies.join(','), userOrGroup: user, isGroup: 'false' }, Buffer.alloc(0));
  }

  /** The user's policies, or undefined when there is no such user. */
  async userPolicies(user: string): Promise<string[] | undefined> {
    try {
      const answer = await this.call('GET', '/minio/admin/v3/user-info', { accessKey: user });
      const info = JSON.parse(answer.toString('utf8')) as { policyName?: string };
      return (info.policyName ?? '').split(',').filter(Boolean);
    } catch (error) {
      if (error instanceof MinioAdminError && error.code === 'XMinioAdminNoSuchUser') return undefined;
      throw error;
    }
  }

  private async call(method: string, path: string, query: Record<string, string>, body?: Buffer): Promise<Buffer> {
    const port = this.url.port ? Number(this.url.port) : undefined;
    const host = this.url.host;
    const signed = await this.signer.sign({
      method,
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      port,
      path,
      query,
      headers: { host, 'x-amz-content-sha256': createHash('sha256').update(body ?? Buffer.alloc(0)).digest('hex') },
      body,
    });
    const url = new URL(path, this.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const response = await fetch(url, {
      method,
      headers: signed.headers as Record<string, string>,
      body: body && body.length > 0 ? new Uint8Array(body) : undefined,
      signal: AbortSignal.timeout(15_000),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    if (!response.ok) {
      let code = `HTTP${response.status}`;
      let message = bytes.toString('utf8').slice(0, 300);
      try {
        const parsed = JSON.parse(message) as { Code?: string; Message?: string };
        code = parsed.Code ?? code;
        message = parsed.Message ?? message;
      } catch {
        // not JSON: keep the text
      }
      throw new MinioAdminError(`MinIO admin ${method} ${path} failed: ${response.status} ${code}: ${message}`, response.status, code);
    }
    return bytes;
  }
}
