module.exports = require('../../tools/webpack/app-config')('media', __dirname);
