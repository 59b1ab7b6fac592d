import type { ImageStore } from '../../ports.ts';
import type { Image } from '../../streams/types.ts';
import { type DynamoTable, keys } from './dynamo-table.ts';

/** ImageStore on the table: one item per digest, written once. */
export class DynamoImageStore implements ImageStore {
  private readonly table: DynamoTable;

  constructor(table: DynamoTable) {
    this.table = table;
  }

  async getImage(digest: string): Promise<Image | undefined> {
    return (await this.table.get(keys.image(digest), { kind: 'images', name: digest }))?.image as Image | undefined;
  }

  async putImage(image: Image): Promise<void> {
    // Written once: a second writer of the same digest finds it there, which is fine.
    await this.table.put(
      { ...keys.image(image.metadata.name), type: 'image', image },
      { kind: 'images', name: image.metadata.name },
      { expression: 'attribute_not_exists(pk)' },
    );
  }
}
