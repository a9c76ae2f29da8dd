// Saves the map as a file the person chose the format of (built in the browser by the same
// export code the CLI uses, so the files match `carepath phi-map` byte for byte).
import { exportPhiMap, type PhiMap, type PhiMapFormat } from '@carepath/dsl'

const TYPES: Record<PhiMapFormat, string> = {
  md: 'text/markdown',
  csv: 'text/csv',
  json: 'application/json',
}

/** Start a download of `map` as `<flow id>.phi-map.<format>`. */
export function downloadPhiMap(map: PhiMap, format: PhiMapFormat): void {
  const blob = new Blob([exportPhiMap(map, format)], { type: `${TYPES[format]};charset=utf-8` })
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = `${map.flowId}.phi-map.${format}`
  link.click()
  URL.revokeObjectURL(url)
}
