module.exports = require('../../tools/webpack/app-config')('analytics', __dirname);
