// The OpenAPI 3.1 description of the REST API for outside systems (served at /api/openapi.json).
const error = { $ref: '#/components/schemas/Error' }
const errorResponses = {
  '400': { description: 'Bad input (the message names the field)', content: { 'application/json': { schema: error } } },
  '401': { description: 'Missing, expired or revoked token', content: { 'application/json': { schema: error } } },
  '403': { description: 'The role or token scope may not do this', content: { 'application/json': { schema: error } } },
  '404': { description: 'Unknown id', content: { 'application/json': { schema: error } } },
  '409': { description: 'Conflict with the current state', content: { 'application/json': { schema: error } } },
}
const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } })
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } })

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Carepath runtime REST API',
    version: '1.0.0',
    description:
      'Start runs of published flows and work their tasks from outside systems. Authenticate with a session token from /api/auth/login or an API token (scoped), sent as `Authorization: Bearer <token>`. Patient data in responses is redacted to what the caller may see.',
  },
  servers: [{ url: '/' }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
          },
        },
      },
      RunSummary: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          flowId: { type: 'string' },
          hash: { type: 'string' },
          status: { enum: ['running', 'waiting', 'completed', 'failed'] },
          outcome: { type: ['string', 'null'] },
          createdAt: { type: 'string' },
        },
      },
    },
  },
  security: [{ bearer: [] }],
  paths: {
    '/api/auth/login': {
      post: {
        summary: 'Log in and get a session token',
        security: [],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['username', 'password'],
                properties: { username: { type: 'string' }, password: { type: 'string' } },
              },
            },
          },
        },
        responses: {
          '200': json(
            { type: 'object', properties: { token: { type: 'string' }, user: { type: 'object' } } },
            'A session token',
          ),
          '401': errorResponses['401'],
          '429': json(error, 'Too many failed log-ins; wait'),
        },
      },
    },
    '/api/flows': {
      get: {
        summary: 'List flows (scope flows:read)',
        responses: { '200': json({ type: 'array', items: { type: 'object' } }, 'Flows'), ...errorResponses },
      },
      post: {
        summary: 'Create a flow from a valid document and its test cases (scope flows:write)',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['document'],
                properties: { document: { type: 'object' }, suites: { type: 'array', items: { type: 'object' } } },
              },
            },
          },
        },
        responses: { '201': json({ type: 'object' }, 'Created'), ...errorResponses },
      },
    },
    '/api/flows/{id}': {
      get: {
        summary: 'A flow: its draft (document, revision, hash), status and published version (scope flows:read)',
        parameters: [idParam('id')],
        responses: { '200': json({ type: 'object' }, 'The flow'), ...errorResponses },
      },
    },
    '/api/flows/{id}/suite': {
      get: {
        summary: 'The test cases saved with the draft, in the suite file format (scope flows:read)',
        parameters: [idParam('id')],
        responses: { '200': json({ type: 'object' }, 'The suite'), ...errorResponses },
      },
    },
    '/api/flows/{id}/draft': {
      put: {
        summary:
          'Save a new draft revision with its test cases (scope flows:write); refused with 409 when baseRevision is not the current draft',
        parameters: [idParam('id')],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['document', 'baseRevision'],
                properties: {
                  document: { type: 'object' },
                  baseRevision: { type: 'integer', minimum: 1 },
                  suite: { type: 'object' },
                },
              },
            },
          },
        },
        responses: {
          '200': json(
            { type: 'object', properties: { revision: { type: 'integer' }, hash: { type: 'string' } } },
            'Saved',
          ),
          ...errorResponses,
        },
      },
    },
    '/api/flows/{id}/review': {
      get: {
        summary:
          'The review of the draft: the simulation report (redacted), approvals and what still blocks publishing (scope flows:read)',
        parameters: [idParam('id')],
        responses: { '200': json({ type: 'object' }, 'The review'), ...errorResponses },
      },
      post: {
        summary: 'Submit the draft for review; runs its test cases and generated cases (scope flows:write)',
        parameters: [idParam('id')],
        responses: { '201': json({ type: 'object' }, 'In review'), ...errorResponses },
      },
    },
    '/api/flows/{id}/runs': {
      post: {
        summary:
          'Start a run of the published version (scope runs:start); the same idempotency key returns the same run',
        parameters: [idParam('id')],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['input', 'idempotencyKey'],
                properties: { input: { type: 'object' }, idempotencyKey: { type: 'string', maxLength: 200 } },
              },
            },
          },
        },
        responses: { '201': json({ $ref: '#/components/schemas/RunSummary' }, 'The run'), ...errorResponses },
      },
    },
    '/api/runs/{id}': {
      get: {
        summary: 'A run: path, decisions, events, open task (scope runs:read; redacted)',
        parameters: [idParam('id')],
        responses: { '200': json({ type: 'object' }, 'The run'), ...errorResponses },
      },
    },
    '/api/tasks': {
      get: {
        summary: 'Open tasks of the caller’s flow roles (scope tasks:read)',
        responses: { '200': json({ type: 'array', items: { type: 'object' } }, 'Tasks'), ...errorResponses },
      },
    },
    '/api/tasks/{id}/answer': {
      post: {
        summary: 'Answer a task; the run resumes (scope tasks:answer)',
        parameters: [idParam('id')],
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { type: 'object', required: ['answer'], properties: { answer: {} } } },
          },
        },
        responses: { '200': json({ type: 'object' }, 'The run after the answer'), ...errorResponses },
      },
    },
    '/api/events/{name}': {
      post: {
        summary:
          'Deliver a message to the runs waiting for it at a wait.event step (scope events:deliver); kept for a day when none waits yet; the same messageId delivers once',
        parameters: [idParam('name')],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['key', 'messageId'],
                properties: {
                  key: { type: 'string', description: 'The correlation key, e.g. the appointment id' },
                  messageId: { type: 'string', maxLength: 200 },
                  payload: {},
                },
              },
            },
          },
        },
        responses: { '202': json({ type: 'object' }, 'Delivered, or kept for a run to come'), ...errorResponses },
      },
    },
    '/api/launch-tokens': {
      post: {
        summary:
          'A launch token for the embedded agent view, for a registered host application (scope launch:issue); frame `path` + `#launch=<token>` within its lifetime, once',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['host', 'username', 'patient'],
                properties: {
                  host: { type: 'string', description: 'The host application audience, e.g. crm-desktop' },
                  username: { type: 'string', description: 'The agent the view opens for' },
                  patient: {
                    type: 'string',
                    description: 'The patient the launch is for (a FHIR Patient id or reference)',
                  },
                  flowId: { type: 'string', description: 'The guided script to start with the caller context' },
                  facts: { type: 'object', description: 'The caller context the run starts with' },
                  ttlSeconds: { type: 'integer', minimum: 10, maximum: 300, default: 120 },
                },
              },
            },
          },
        },
        responses: {
          '201': json(
            {
              type: 'object',
              properties: { token: { type: 'string' }, expiresAt: { type: 'string' }, path: { type: 'string' } },
            },
            'The signed launch token and the path of the view to frame',
          ),
          ...errorResponses,
        },
      },
    },
    '/healthz': {
      get: {
        summary: 'Ready',
        security: [],
        responses: { '200': { description: 'Ready' }, '503': { description: 'Starting or stopping' } },
      },
    },
  },
} as const
