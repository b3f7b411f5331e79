export { AttentionModel } from './model';
export { AttentionView } from './widget';
export { MODULE_NAME, MODULE_VERSION } from './version';
