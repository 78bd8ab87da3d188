module.exports = require('../../tools/webpack/app-config')('api-gateway', __dirname);
