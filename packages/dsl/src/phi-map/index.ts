export * from './phi-map.schema.ts'
export * from './phi-map.ts'
export * from './phi-map-diff.ts'
export * from './phi-map-export.ts'
