module.exports = require('../../tools/webpack/app-config')('publishing', __dirname);
