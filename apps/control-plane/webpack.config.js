module.exports = require('../../tools/webpack/app-config')('control-plane', __dirname);
