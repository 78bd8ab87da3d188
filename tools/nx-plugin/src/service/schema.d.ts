export interface ServiceGeneratorSchema {
  name: string;
  feature?: string;
  httpPort?: number;
  team?: string;
  skipFormat?: boolean;
}
